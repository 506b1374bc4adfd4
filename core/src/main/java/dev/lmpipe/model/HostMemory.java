package dev.lmpipe.model;

import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * A float ND4J array's host memory, for Java loops and OpenBLAS calls that bypass ND4J's per-call cost. For arrays
 * of ND4J's CPU backend only; both views start where the array's buffer starts.
 */
public final class HostMemory {
    private HostMemory() {
    }

    /** The array's floats, read and written in place. */
    public static FloatBuffer floats(INDArray array) {
        return array.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /** The address of the array's first float, for OpenBLAS. */
    public static FloatPointer pointer(INDArray array) {
        return new FloatPointer(array.data().addressPointer());
    }
}
