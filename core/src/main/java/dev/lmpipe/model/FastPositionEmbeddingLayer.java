package dev.lmpipe.model;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

/**
 * The runtime layer of {@link PositionEmbedding}: out = in + pos as one ND4J broadcast, where {@link WrittenOutLayer}
 * can.
 */
final class FastPositionEmbeddingLayer extends WrittenOutLayer {
    private FastPositionEmbeddingLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    static FastPositionEmbeddingLayer create(NeuralNetConfiguration conf, int layerIndex, INDArray paramsView,
                                             boolean initializeParams, DataType dataType) {
        return setUp(new FastPositionEmbeddingLayer(conf, dataType), conf, layerIndex, paramsView, initializeParams);
    }

    @Override
    INDArray forward() {
        // [B, d, T] + [d, T] along dimensions 1 and 2; the caller copies the sum into the activations' workspace.
        var sum = input.ulike();
        Nd4j.getExecutioner().exec(new BroadcastAddOp(input, paramTable.get(PositionEmbedding.POSITIONS), sum, 1, 2));
        return sum;
    }

    @Override
    Pair<Map<String, INDArray>, INDArray> backward(INDArray outputGradient) {
        // The positions' gradient sums over the minibatch; the input's is the output's.
        return new Pair<>(Map.of(PositionEmbedding.POSITIONS, outputGradient.sum(0)), outputGradient);
    }
}
