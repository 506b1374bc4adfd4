package dev.lmpipe.model.kernel;

import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * A float ND4J array's host memory, for Java loops and OpenBLAS calls that bypass ND4J's per-call cost. For arrays
 * of ND4J's CPU backend only; {@link #floats} and {@link #pointer} start where the array's buffer starts,
 * {@link #elements} where the array does.
 */
public final class HostMemory {
    private HostMemory() {
    }

    /** The array's floats, read and written in place. */
    public static FloatBuffer floats(INDArray array) {
        return array.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /**
     * The array's own floats, read and written in place: from its first element (a view's offset into its buffer), as
     * many as it has. For arrays whose elements lie one after the other.
     */
    public static FloatBuffer elements(INDArray array) {
        return floats(array).slice((int) array.offset(), (int) array.length());
    }

    /** The address of the array's first float, for OpenBLAS. */
    public static FloatPointer pointer(INDArray array) {
        return new FloatPointer(array.data().addressPointer());
    }

    /**
     * The rows [B, T, d] of an NCW array [B, d, T], row-major: a view of the array's own memory when it holds them
     * so (the written-out layers hand their outputs and input gradients over as such views), else {@code target}
     * ('c' order [B, T, d]) with them copied in. Read it from {@link #floats} at its {@code offset()}.
     */
    public static INDArray rows(INDArray ncw, INDArray target) {
        INDArray rows = rowsView(ncw);
        if (rows != null) {
            return rows;
        }
        target.assign(ncw.permute(0, 2, 1));
        return target;
    }

    /** The rows [B, T, d] of an NCW float array [B, d, T] as a view of its own memory, or null if it does not hold them so. */
    public static INDArray rowsView(INDArray ncw) {
        INDArray rows = ncw.permute(0, 2, 1);
        boolean held = rows.dataType() == DataType.FLOAT && rows.ordering() == 'c' && Shape.hasDefaultStridesForShape(rows);
        return held ? rows : null;
    }
}
