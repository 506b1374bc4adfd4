package dev.lmpipe.model;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

/**
 * The runtime layer of {@link PositionEmbedding}: out = in + pos as a copy and one ND4J broadcast, where
 * {@link WrittenOutLayer} can.
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
    void forward(INDArray outputRows) {
        // Rows [B, T, d] = the input's rows + the positions' [T, d], broadcast along the minibatch.
        outputRows.assign(input.permute(0, 2, 1));
        Nd4j.getExecutioner().exec(new BroadcastAddOp(outputRows,
                paramTable.get(PositionEmbedding.POSITIONS).transpose(), outputRows, 1, 2));
    }

    @Override
    Map<String, INDArray> backward(INDArray outputGradient, INDArray inputGradientRows) {
        // The positions' gradient sums over the minibatch; the input's is the output's.
        inputGradientRows.assign(outputGradient.permute(0, 2, 1));
        return Map.of(PositionEmbedding.POSITIONS, outputGradient.sum(0));
    }
}
