package dev.lmpipe.spark;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.ByteOrder;

/**
 * Kryo serialization of an ND4J array as its shape, its data type and its bytes, copied in 64 KB blocks. ND4J's own
 * serialization (Java's and nd4j-kryo's alike) writes and reads one element at a time through a data stream: for the
 * parameters and Adam state that every averaging round sends to each worker and back (3 × 818,498 floats for the
 * GPT), that was a quarter of a round (JFR of {@code lmpipe train}). Both ends must share the byte order (x86 and
 * ARM are little-endian); a mismatch fails with a message rather than silently swapping.
 */
final class ArraySerializer extends Serializer<INDArray> {
    private static final int BLOCK = 64 * 1024;

    @Override
    public void write(Kryo kryo, Output output, INDArray array) {
        output.writeString(array.dataType().name());
        output.writeBoolean(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN);
        long[] shape = array.shape();
        output.writeInt(shape.length, true);
        for (long size : shape) {
            output.writeLong(size, true);
        }
        output.writeBoolean(array.isEmpty());
        if (array.isEmpty()) {
            return;
        }
        // Only a whole 'c'-order buffer is the array's elements in order, nothing before or after them.
        INDArray whole = array.isView() || array.ordering() != 'c' || array.data().length() != array.length()
                ? array.dup('c') : array;
        var bytes = whole.data().asNio();
        bytes.position(0).limit((int) (whole.length() * whole.dataType().width()));
        byte[] block = new byte[BLOCK];
        while (bytes.hasRemaining()) {
            int n = Math.min(block.length, bytes.remaining());
            bytes.get(block, 0, n);
            output.writeBytes(block, 0, n);
        }
    }

    @Override
    public INDArray read(Kryo kryo, Input input, Class<INDArray> type) {
        DataType dataType = DataType.valueOf(input.readString());
        boolean littleEndian = input.readBoolean();
        if (littleEndian != (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN)) {
            throw new IllegalStateException("an ND4J array was serialized on a machine of the other byte order ("
                    + (littleEndian ? "little" : "big") + "-endian); lmpipe's Spark JVMs must share one byte order");
        }
        long[] shape = new long[input.readInt(true)];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = input.readLong(true);
        }
        boolean empty = input.readBoolean();
        try (var ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            if (empty) {
                // ND4J's rank-0 empty array is not a scalar: the shape alone cannot tell them apart.
                return shape.length == 0 ? Nd4j.empty(dataType) : Nd4j.create(dataType, shape, 'c');
            }
            INDArray array = Nd4j.create(dataType, shape, 'c');
            var bytes = array.data().asNio();
            bytes.position(0).limit((int) (array.length() * dataType.width()));
            byte[] block = new byte[BLOCK];
            while (bytes.hasRemaining()) {
                int n = Math.min(block.length, bytes.remaining());
                input.readBytes(block, 0, n);
                bytes.put(block, 0, n);
            }
            return array;
        }
    }
}
