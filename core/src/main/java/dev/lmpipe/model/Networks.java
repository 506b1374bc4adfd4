package dev.lmpipe.model;

import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.impl.LossSparseMCXENT;

/** Builds DL4J networks: one method per architecture, nothing else. */
public final class Networks {
    private Networks() {
    }

    static MultiLayerNetwork lstm(LstmSpec spec, int vocabularySize, Optimization optimization) {
        // DL4J's dropOut(p) takes the probability of *keeping* an activation.
        double keep = 1.0 - spec.dropout();
        var layers = new NeuralNetConfiguration.Builder()
                .seed(optimization.seed())
                .dataType(DataType.FLOAT)
                .weightInit(WeightInit.XAVIER)
                .updater(new Adam(optimization.learningRate()))
                .gradientNormalization(GradientNormalization.ClipL2PerLayer)
                .gradientNormalizationThreshold(optimization.gradientClip() * optimization.seqLen())
                .list()
                // Every recurrent layer names NCW explicitly, or the output layer rejects the labels (DESIGN.md).
                .layer(new EmbeddingSequenceLayer.Builder()
                        .nIn(vocabularySize).nOut(spec.embedding()).hasBias(false)
                        .outputDataFormat(RNNFormat.NCW).build());
        for (int i = 0; i < spec.layers(); i++) {
            var lstm = new LSTM.Builder()
                    .nIn(i == 0 ? spec.embedding() : spec.hidden()).nOut(spec.hidden())
                    .activation(Activation.TANH).dataFormat(RNNFormat.NCW);
            if (i > 0 && spec.dropout() > 0) {
                lstm.dropOut(keep);
            }
            layers.layer(lstm.build());
        }
        var output = new RnnOutputLayer.Builder(new LossSparseMCXENT())
                .nIn(spec.hidden()).nOut(vocabularySize)
                .activation(Activation.SOFTMAX).dataFormat(RNNFormat.NCW);
        if (spec.dropout() > 0) {
            output.dropOut(keep);
        }
        layers.layer(output.build());
        if (optimization.tbptt() < optimization.seqLen()) {
            layers.backpropType(BackpropType.TruncatedBPTT)
                    .tBPTTForwardLength(optimization.tbptt())
                    .tBPTTBackwardLength(optimization.tbptt());
        }
        var network = new MultiLayerNetwork(layers.build());
        network.init();
        return network;
    }
}
