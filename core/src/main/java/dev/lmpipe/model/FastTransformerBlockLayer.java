package dev.lmpipe.model;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

/** The runtime layer of {@link TransformerBlock}: {@link TransformerBlockPass} where {@link WrittenOutLayer} can. */
final class FastTransformerBlockLayer extends WrittenOutLayer {
    private TransformerBlockPass pass;

    private FastTransformerBlockLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    static FastTransformerBlockLayer create(NeuralNetConfiguration conf, int layerIndex, INDArray paramsView,
                                            boolean initializeParams, DataType dataType) {
        return setUp(new FastTransformerBlockLayer(conf, dataType), conf, layerIndex, paramsView, initializeParams);
    }

    @Override
    INDArray forward() {
        long[] shape = input.shape();
        if (pass == null || !pass.fits(shape)) {
            var block = (TransformerBlock) layerConf();
            try (var ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                pass = new TransformerBlockPass((int) shape[0], block.getBlock(), block.getWidth(), block.getHeads());
            }
        }
        return pass.forward(input, paramTable);
    }

    @Override
    Pair<Map<String, INDArray>, INDArray> backward(INDArray outputGradient) {
        var gradients = pass.backward(outputGradient, paramTable).parameterGradients;
        return new Pair<>(gradients, pass.inputGradient());
    }
}
