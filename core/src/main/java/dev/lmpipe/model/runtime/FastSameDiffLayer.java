package dev.lmpipe.model.runtime;

import dev.lmpipe.model.kernel.Kernels;
import dev.lmpipe.model.SequenceLayer;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * The runtime of a {@link SequenceLayer} whose forward and backward pass are written out in Java and OpenBLAS
 * (SameDiff's per-op cost was most of a GPT training step): float networks on ND4J's CPU backend with inputs of the
 * configured shape take that path; anything else (double precision, a GPU backend, a wrong shape, which SameDiff then
 * rejects with its message) runs the layer's SameDiff graph. Same parameters, same checkpoints, same arithmetic: a
 * network does not know which path trained it. The forward pass of a training step is kept for its backward pass.
 * Not thread-safe, like every DL4J layer: each Spark worker has its own network.
 */
public abstract class FastSameDiffLayer extends CorrectedSameDiffLayer {
    /** The input whose training forward pass the subclass holds, or null: identity, not equality. */
    private INDArray forwardOf;

    FastSameDiffLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /**
     * Writes the output for {@link #input} ([B, width, block], NCW, any layout) into {@code outputRows}: 'c' order
     * [B, block, width], rows (example, step) as the layers above read them. {@code training}: a pass whose
     * backward pass follows, which may drop values.
     */
    abstract void forward(INDArray outputRows, boolean training);

    /**
     * After {@link #forward} of the same input: writes the input's gradient for {@code outputGradient} ([B, width,
     * block], any layout) into {@code inputGradientRows} ('c' order [B, block, width]) and returns each parameter's
     * gradient by name, shaped as the parameter: an array that is copied into the gradient view, or that view itself
     * ({@code gradTable}) already written.
     */
    abstract Map<String, INDArray> backward(INDArray outputGradient, INDArray inputGradientRows);

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (!fast()) {
            return super.activate(training, workspaceMgr);
        }
        // [B, width, block] as a view of rows: the layer above copies its slices' rows without transposing them.
        var output = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, rowShape(), 'c');
        forward(output, training);
        forwardOf = training ? input : null;
        return output.permute(0, 2, 1);
    }

    private long[] rowShape() {
        return new long[] {input.size(0), input.size(2), input.size(1)};
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        if (!fast()) {
            return super.backpropGradient(epsilon, workspaceMgr);
        }
        assertInputSet(true);
        if (forwardOf != input) {
            forward(workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, DataType.FLOAT, rowShape(), 'c'), true);
        }
        forwardOf = null;
        var inputGradient = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT, rowShape(), 'c');
        var gradients = backward(epsilon, inputGradient);
        Gradient gradient = new DefaultGradient();
        for (var name : paramTable.keySet()) {
            INDArray view = gradTable.get(name);
            if (gradients.get(name) != view) {
                view.assign(gradients.get(name));
            }
            gradient.gradientForVariable().put(name, view);
        }
        return new Pair<>(gradient, inputGradient.permute(0, 2, 1));
    }

    @Override
    public void clear() {
        super.clear();
        forwardOf = null;
    }

    SequenceLayer sequenceLayer() {
        return (SequenceLayer) layerConf();
    }

    boolean fast() {
        var layer = sequenceLayer();
        // Java and OpenBLAS work on the arrays' host memory: the CPU backend, unless told to take DL4J's path.
        return Kernels.onHost() && input != null && dataType == DataType.FLOAT
                && input.dataType() == DataType.FLOAT && input.rank() == 3
                && input.size(1) == layer.getWidth() && input.size(2) == layer.getBlock();
    }
}
