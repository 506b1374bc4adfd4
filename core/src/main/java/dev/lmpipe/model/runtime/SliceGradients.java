package dev.lmpipe.model.runtime;

import dev.lmpipe.model.kernel.HostMemory;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;

import java.nio.FloatBuffer;

/**
 * The sum of the slices' gradients of one parameter into its gradient view: {@code parts[0] + parts[1] + ...}, added
 * in that order, as ND4J's {@code assign} and {@code addi} add them, so the sum is the same bit for bit either way.
 * Where the view and the parts lie the same way in host memory, a Java loop over it, on chunks copied into arrays
 * where it compiles to vector instructions, shared out among the threads by ranges of elements; each ND4J op would
 * cost more to call than its additions take (a block's parameters are a few hundred thousand floats).
 */
final class SliceGradients {
    private static final int CHUNK = 1024;

    private SliceGradients() {
    }

    /**
     * Share {@code share} of {@code shares} of {@code into = Σ parts}: the elements from {@code share/shares} to
     * {@code (share + 1)/shares} of the way through, or, where the arrays do not lie alike, all of it for share 0 and
     * nothing for the others. Each share may run on a thread of its own.
     */
    static void sum(INDArray into, INDArray[] parts, int share, int shares) {
        if (!sameLayout(into, parts)) {
            if (share == 0) {
                into.assign(parts[0]);
                for (int p = 1; p < parts.length; p++) {
                    into.addi(parts[p]);
                }
            }
            return;
        }
        long length = into.length();
        int from = (int) (length * share / shares);
        int to = (int) (length * (share + 1) / shares);
        FloatBuffer target = HostMemory.elements(into);
        FloatBuffer[] sources = new FloatBuffer[parts.length];
        for (int p = 0; p < parts.length; p++) {
            sources[p] = HostMemory.elements(parts[p]);
        }
        float[] total = new float[CHUNK];
        float[] part = new float[CHUNK];
        for (int done = from; done < to; done += CHUNK) {
            int n = Math.min(CHUNK, to - done);
            sources[0].get(done, total, 0, n);
            for (int p = 1; p < sources.length; p++) {
                sources[p].get(done, part, 0, n);
                for (int i = 0; i < n; i++) {
                    total[i] += part[i];
                }
            }
            target.put(done, total, 0, n);
        }
    }

    /** Whether every array holds floats contiguously in one order and shape, element i at float i from its start. */
    private static boolean sameLayout(INDArray into, INDArray[] parts) {
        if (!contiguous(into)) {
            return false;
        }
        for (INDArray part : parts) {
            // A vector's elements lie one after the other in either order.
            boolean alike = part.ordering() == into.ordering() || into.isVector();
            if (!contiguous(part) || !alike || !Shape.shapeEquals(part.shape(), into.shape())) {
                return false;
            }
        }
        return true;
    }

    private static boolean contiguous(INDArray array) {
        return array.dataType() == DataType.FLOAT && Shape.hasDefaultStridesForShape(array) && !array.isEmpty();
    }
}
