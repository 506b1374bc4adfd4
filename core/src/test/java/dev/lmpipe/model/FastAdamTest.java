package dev.lmpipe.model;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.impl.LossSparseMCXENT;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

import static dev.lmpipe.model.Comparisons.exactly;
import static org.assertj.core.api.Assertions.assertThat;

/** FastAdam against DL4J's Adam: the very same parameters after every step, on one thread or several. */
class FastAdamTest {
    private static final int VOCABULARY = 13;

    /** About 170,000 parameters: two ranges of at least 2^16. */
    private static MultiLayerNetwork network(IUpdater updater) {
        var list = new NeuralNetConfiguration.Builder()
                .seed(9).dataType(DataType.FLOAT).weightInit(WeightInit.XAVIER).updater(updater)
                .list()
                .layer(new EmbeddingSequenceLayer.Builder().nIn(VOCABULARY).nOut(6).hasBias(false)
                        .outputDataFormat(RNNFormat.NCW).build())
                .layer(FastLstm.of(new LSTM.Builder().nIn(6).nOut(200).activation(Activation.TANH)
                        .dataFormat(RNNFormat.NCW).build()))
                .layer(new RnnOutputLayer.Builder(new LossSparseMCXENT()).nIn(200).nOut(VOCABULARY)
                        .activation(Activation.SOFTMAX).dataFormat(RNNFormat.NCW).build());
        var network = new MultiLayerNetwork(list.build());
        network.init();
        return network;
    }

    @Test
    void updatesExactlyAsDl4jsAdamOnSeveralThreads() throws IOException {
        var reference = network(new Adam(0.01));
        var fast = network(new FastAdam(0.01));
        Networks.useThreads(fast, 3);
        fast.setParams(reference.params().dup());
        assertThat(reference.numParams()).isGreaterThan(2L << 16);
        for (int i = 0; i < 4; i++) {
            var data = Comparisons.tokens(VOCABULARY, 5, 8, 20 + i);
            reference.fit(data);
            fast.fit(data);
            assertThat(exactly(fast.params())).isEqualTo(exactly(reference.params()));
        }
        // Its state goes into checkpoints and comes back: training then goes on as before.
        var saved = new ByteArrayOutputStream();
        ModelSerializer.writeModel(fast, saved, true);
        var restored = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(saved.toByteArray()), true);
        Networks.useThreads(restored, 2);
        for (int i = 0; i < 3; i++) {
            var data = Comparisons.tokens(VOCABULARY, 5, 8, 40 + i);
            reference.fit(data);
            restored.fit(data);
        }
        assertThat(exactly(restored.params())).isEqualTo(exactly(reference.params()));
    }

    @Test
    void isTheUpdaterThatSurvivesJsonWithItsThreads() {
        var fast = network(new FastAdam(0.02));
        Networks.useThreads(fast, 2);
        var restored = MultiLayerConfiguration.fromJson(fast.getLayerWiseConfigurations().toJson());
        var updater = restored.getConf(1).getLayer().getUpdaterByParam("W");
        assertThat(updater).isInstanceOf(FastAdam.class);
        assertThat(((FastAdam) updater).getThreads()).isEqualTo(2);
        assertThat(((FastAdam) updater).getLearningRate()).isEqualTo(0.02);
        assertThat(updater.clone()).isInstanceOf(FastAdam.class).isEqualTo(updater);
    }
}
