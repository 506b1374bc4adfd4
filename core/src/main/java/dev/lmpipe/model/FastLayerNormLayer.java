package dev.lmpipe.model;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

/** The runtime layer of {@link LayerNorm}: {@link RowNorm} on rows [B·T, d], where {@link WrittenOutLayer} can. */
final class FastLayerNormLayer extends WrittenOutLayer {
    private Buffers work;

    private FastLayerNormLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    static FastLayerNormLayer create(NeuralNetConfiguration conf, int layerIndex, INDArray paramsView,
                                     boolean initializeParams, DataType dataType) {
        return setUp(new FastLayerNormLayer(conf, dataType), conf, layerIndex, paramsView, initializeParams);
    }

    @Override
    void forward(INDArray outputRows) {
        int minibatch = (int) input.size(0);
        int width = sequenceLayer().getWidth();
        int steps = sequenceLayer().getBlock();
        if (work == null || work.minibatch != minibatch) {
            try (var ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                work = new Buffers(minibatch, steps, width);
            }
        }
        var w = work;
        w.rows3d(w.x).assign(input.permute(0, 2, 1));
        w.norm.forward(w.rows, HostMemory.floats(w.x), HostMemory.floats(w.normalized), w.inverseStd,
                paramTable.get(LayerNorm.GAIN).toFloatVector(), paramTable.get(LayerNorm.BIAS).toFloatVector(),
                HostMemory.floats(w.y));
        outputRows.assign(w.rows3d(w.y));
    }

    @Override
    Map<String, INDArray> backward(INDArray outputGradient, INDArray inputGradientRows) {
        var w = work;
        // y's buffer is free after the forward pass: the output's gradient in row form goes there.
        w.rows3d(w.y).assign(outputGradient.permute(0, 2, 1));
        var gain = paramTable.get(LayerNorm.GAIN);
        var bias = paramTable.get(LayerNorm.BIAS);
        w.norm.backward(w.rows, HostMemory.floats(w.y), HostMemory.floats(w.normalized), w.inverseStd,
                gain.toFloatVector(), null, HostMemory.floats(w.gainGradient), HostMemory.floats(w.biasGradient),
                HostMemory.floats(w.x));
        inputGradientRows.assign(w.rows3d(w.x));
        return Map.of(LayerNorm.GAIN, w.gainGradient.reshape(gain.shape()),
                LayerNorm.BIAS, w.biasGradient.reshape(bias.shape()));
    }

    /** Rows [B·T, d], example-major, outside DL4J's workspaces. */
    private static final class Buffers {
        final int minibatch;
        final int steps;
        final int width;
        final int rows;
        final INDArray x;
        final INDArray normalized;
        final INDArray y;
        final INDArray gainGradient;
        final INDArray biasGradient;
        final float[] inverseStd;
        final RowNorm norm;

        Buffers(int minibatch, int steps, int width) {
            this.minibatch = minibatch;
            this.steps = steps;
            this.width = width;
            this.rows = minibatch * steps;
            x = Nd4j.create(DataType.FLOAT, rows, width);
            normalized = Nd4j.create(DataType.FLOAT, rows, width);
            y = Nd4j.create(DataType.FLOAT, rows, width);
            gainGradient = Nd4j.create(DataType.FLOAT, width);
            biasGradient = Nd4j.create(DataType.FLOAT, width);
            inverseStd = new float[rows];
            norm = new RowNorm(width);
        }

        INDArray rows3d(INDArray rowMatrix) {
            return rowMatrix.reshape(minibatch, steps, width);
        }
    }
}
