package dev.lmpipe.model.runtime;

import dev.lmpipe.model.PositionEmbedding;
import dev.lmpipe.model.kernel.HostMemory;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.FloatBuffer;
import java.util.Map;

/**
 * The runtime layer of {@link PositionEmbedding}, where {@link FastSameDiffLayer} can: out = in + pos one example at a
 * time in Java arrays, reading the input's memory in place when it already holds rows [B, T, d] (the token
 * embedding's output does), and the backward pass's sum over the minibatch likewise. It runs on one thread between
 * the sliced layers: as an ND4J copy and broadcast it was about 2% of a 2-thread GPT training step (bench/archive/RESULTS-2026-11.md).
 */
public final class FastPositionEmbeddingLayer extends FastSameDiffLayer {
    /** The positions' gradient, shaped as the parameter [width, block], outside DL4J's workspaces and reused. */
    private INDArray positionsGradient;

    private FastPositionEmbeddingLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    public static FastPositionEmbeddingLayer create(NeuralNetConfiguration conf, int layerIndex, INDArray paramsView,
                                             boolean initializeParams, DataType dataType) {
        return setUp(new FastPositionEmbeddingLayer(conf, dataType), conf, layerIndex, paramsView, initializeParams);
    }

    @Override
    void forward(INDArray outputRows, boolean training) {
        int examples = (int) input.size(0);
        int width = (int) input.size(1);
        int steps = (int) input.size(2);
        float[] positions = byStep(paramTable.get(PositionEmbedding.POSITIONS), width, steps);
        INDArray rows = HostMemory.rows(input, outputRows);
        FloatBuffer in = HostMemory.floats(rows);
        FloatBuffer out = HostMemory.floats(outputRows);
        float[] example = new float[steps * width];
        for (int b = 0; b < examples; b++) {
            in.get((int) rows.offset() + b * example.length, example);
            for (int i = 0; i < example.length; i++) {
                example[i] += positions[i];
            }
            out.put((int) outputRows.offset() + b * example.length, example);
        }
    }

    @Override
    Map<String, INDArray> backward(INDArray outputGradient, INDArray inputGradientRows) {
        // The input's gradient is the output's; the positions' sums it over the minibatch.
        int examples = (int) outputGradient.size(0);
        int width = (int) outputGradient.size(1);
        int steps = (int) outputGradient.size(2);
        INDArray rows = HostMemory.rows(outputGradient, inputGradientRows);
        FloatBuffer gradient = HostMemory.floats(rows);
        FloatBuffer inputGradient = HostMemory.floats(inputGradientRows);
        float[] example = new float[steps * width];
        float[] sum = new float[steps * width];
        for (int b = 0; b < examples; b++) {
            gradient.get((int) rows.offset() + b * example.length, example);
            for (int i = 0; i < example.length; i++) {
                sum[i] += example[i];
            }
            if (rows != inputGradientRows) {
                inputGradient.put((int) inputGradientRows.offset() + b * example.length, example);
            }
        }
        if (positionsGradient == null || positionsGradient.size(0) != width || positionsGradient.size(1) != steps) {
            try (var ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                positionsGradient = Nd4j.create(DataType.FLOAT, width, steps);
            }
        }
        float[] byWidth = new float[width * steps];
        for (int t = 0; t < steps; t++) {
            for (int j = 0; j < width; j++) {
                byWidth[j * steps + t] = sum[t * width + j];
            }
        }
        HostMemory.floats(positionsGradient).put(0, byWidth);
        return Map.of(PositionEmbedding.POSITIONS, positionsGradient);
    }

    /** The parameter [width, steps] as rows by step: element (t, j) at t·width + j. */
    private static float[] byStep(INDArray positions, int width, int steps) {
        float[] byWidth = positions.dup('c').data().asFloat();
        float[] byStep = new float[steps * width];
        for (int j = 0; j < width; j++) {
            for (int t = 0; t < steps; t++) {
                byStep[t * width + j] = byWidth[j * steps + t];
            }
        }
        return byStep;
    }
}
