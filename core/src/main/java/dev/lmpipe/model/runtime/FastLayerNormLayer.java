package dev.lmpipe.model.runtime;

import dev.lmpipe.model.LayerNorm;
import dev.lmpipe.model.kernel.HostMemory;
import dev.lmpipe.model.kernel.RowNorm;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

/**
 * The runtime layer of {@link LayerNorm}: {@link RowNorm} on rows [B·T, d], where {@link FastSameDiffLayer} can. With
 * {@link LayerNorm#getThreads()} above one the minibatch's examples are cut into slices, each normalised on its own
 * thread ({@link MinibatchParts}), and the slices' gain and bias gradients summed: on one thread it held the other
 * threads up between the sliced blocks and output layer (bench/serial_time.sh).
 */
public final class FastLayerNormLayer extends FastSameDiffLayer {
    private MinibatchParts slices;
    private Buffers[] work;

    private FastLayerNormLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    public static FastLayerNormLayer create(NeuralNetConfiguration conf, int layerIndex, INDArray paramsView,
                                     boolean initializeParams, DataType dataType) {
        return setUp(new FastLayerNormLayer(conf, dataType), conf, layerIndex, paramsView, initializeParams);
    }

    @Override
    void forward(INDArray outputRows, boolean training) {
        int minibatch = (int) input.size(0);
        var wanted = new MinibatchParts(minibatch, ((LayerNorm) layerConf()).getThreads());
        if (work == null || slices.examples() != minibatch || slices.count() != wanted.count()) {
            slices = wanted;
            try (var ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                work = new Buffers[slices.count()];
                for (int p = 0; p < work.length; p++) {
                    work[p] = new Buffers(slices.size(p), sequenceLayer().getBlock(), sequenceLayer().getWidth());
                }
            }
        }
        float[] gain = paramTable.get(LayerNorm.GAIN).toFloatVector();
        float[] bias = paramTable.get(LayerNorm.BIAS).toFloatVector();
        slices.run(p -> {
            var w = work[p];
            w.rows3d(w.x).assign(slices.of(input, p).permute(0, 2, 1));
            w.norm.forward(w.rows, HostMemory.floats(w.x), HostMemory.floats(w.normalized), w.inverseStd, gain, bias,
                    HostMemory.floats(w.y));
            slices.of(outputRows, p).assign(w.rows3d(w.y));
        });
    }

    @Override
    Map<String, INDArray> backward(INDArray outputGradient, INDArray inputGradientRows) {
        var gain = paramTable.get(LayerNorm.GAIN);
        var bias = paramTable.get(LayerNorm.BIAS);
        float[] gains = gain.toFloatVector();
        slices.run(p -> {
            var w = work[p];
            // y's buffer is free after the forward pass: the output's gradient in row form goes there.
            w.rows3d(w.y).assign(slices.of(outputGradient, p).permute(0, 2, 1));
            w.norm.backward(w.rows, HostMemory.floats(w.y), HostMemory.floats(w.normalized), w.inverseStd, gains,
                    null, HostMemory.floats(w.gainGradient), HostMemory.floats(w.biasGradient), HostMemory.floats(w.x));
            slices.of(inputGradientRows, p).assign(w.rows3d(w.x));
        });
        // Summed into slice 0's arrays, which the caller copies into the gradient views.
        for (int p = 1; p < work.length; p++) {
            work[0].gainGradient.addi(work[p].gainGradient);
            work[0].biasGradient.addi(work[p].biasGradient);
        }
        return Map.of(LayerNorm.GAIN, work[0].gainGradient.reshape(gain.shape()),
                LayerNorm.BIAS, work[0].biasGradient.reshape(bias.shape()));
    }

    /** One slice's rows [b·T, d], example-major, outside DL4J's workspaces. */
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
