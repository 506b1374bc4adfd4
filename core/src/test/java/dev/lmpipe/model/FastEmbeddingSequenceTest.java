package dev.lmpipe.model;

import dev.lmpipe.model.kernel.HostMemory;
import dev.lmpipe.model.runtime.FastEmbeddingSequenceLayer;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.impl.LossSparseMCXENT;

import static dev.lmpipe.model.Comparisons.assertSameScoreAndGradients;
import static dev.lmpipe.model.Comparisons.maxRelativeDifference;
import static dev.lmpipe.model.Comparisons.assertDl4jKernelsRunTheReference;
import static org.assertj.core.api.Assertions.assertThat;

/** FastEmbeddingSequence against DL4J's EmbeddingSequenceLayer with the same parameters: same gradients and steps. */
class FastEmbeddingSequenceTest {
    private static final int VOCABULARY = 9;

    /** Embedding (width 5), optionally with DL4J's FastLstm above, then DL4J's output layer. */
    private static MultiLayerNetwork network(boolean fast, boolean lstm) {
        var embedding = new EmbeddingSequenceLayer.Builder().nIn(VOCABULARY).nOut(5).hasBias(false)
                .outputDataFormat(RNNFormat.NCW).build();
        var list = new NeuralNetConfiguration.Builder()
                .seed(5).dataType(DataType.FLOAT).weightInit(WeightInit.XAVIER).updater(new Adam(0.01))
                .list()
                .layer(fast ? FastEmbeddingSequence.of(embedding) : embedding);
        if (lstm) {
            list.layer(FastLstm.of(new org.deeplearning4j.nn.conf.layers.LSTM.Builder().nIn(5).nOut(7)
                    .activation(Activation.TANH).dataFormat(RNNFormat.NCW).build()));
        }
        list.layer(new RnnOutputLayer.Builder(new LossSparseMCXENT()).nIn(lstm ? 7 : 5).nOut(VOCABULARY)
                .activation(Activation.SOFTMAX).dataFormat(RNNFormat.NCW).build());
        var network = new MultiLayerNetwork(list.build());
        network.init();
        return network;
    }

    private static MultiLayerNetwork[] pair(boolean lstm) {
        var reference = network(false, lstm);
        var fast = network(true, lstm);
        fast.setParams(reference.params().dup());
        return new MultiLayerNetwork[] {reference, fast};
    }

    @Test
    void isTheLayerThatBuildsAndSurvivesJson() {
        var fast = network(true, false);
        assertThat(fast.getLayer(0)).isInstanceOf(FastEmbeddingSequenceLayer.class);
        var restored = MultiLayerConfiguration.fromJson(fast.getLayerWiseConfigurations().toJson());
        assertThat(restored.getConf(0).getLayer()).isInstanceOf(FastEmbeddingSequence.class)
                .isEqualTo(fast.getLayerWiseConfigurations().getConf(0).getLayer());
    }

    @ParameterizedTest(name = "minibatch {0}, {1} steps, LSTM above: {2}")
    @CsvSource({"4, 9, false", "1, 1, false", "32, 64, true", "7, 13, true"})
    void givesDl4jsGradients(int minibatch, int steps, boolean lstm) {
        var networks = pair(lstm);
        var data = Comparisons.tokens(VOCABULARY, minibatch, steps, minibatch * 3L + steps);

        assertSameScoreAndGradients(networks[0], networks[1], data, 1e-6, 1e-5);
    }

    @Test
    void readsAGradientHandedOverAsRowsAsItReadsAnyOther() {
        var network = network(true, false);
        network.initGradientsView();
        var layer = (FastEmbeddingSequenceLayer) network.getLayer(0);
        var data = Comparisons.tokens(VOCABULARY, 4, 9, 31);
        layer.setInput(data.getFeatures(), LayerWorkspaceMgr.noWorkspaces());
        var rows = Nd4j.rand(DataType.FLOAT, 4, 9, 5);
        // The same values as [B, d, T]: a view of rows, as the layers above hand them over, and a 'c' array of its own.
        var rowsView = rows.permute(0, 2, 1);
        var ownArray = rowsView.dup('c');
        assertThat(HostMemory.rowsView(rowsView)).isNotNull();
        assertThat(HostMemory.rowsView(ownArray)).isNull();

        var fromRows = layer.backpropGradient(rowsView, LayerWorkspaceMgr.noWorkspaces())
                .getFirst().getGradientFor(DefaultParamInitializer.WEIGHT_KEY).dup();
        var fromOwn = layer.backpropGradient(ownArray, LayerWorkspaceMgr.noWorkspaces())
                .getFirst().getGradientFor(DefaultParamInitializer.WEIGHT_KEY).dup();

        assertThat(fromRows.sumNumber().doubleValue()).isNotZero();
        assertThat(fromRows).isEqualTo(fromOwn);
    }

    @Test
    void underDl4jKernelsIsDl4jsEmbedding() {
        var networks = pair(true);
        // The fast backward pass adds the rows in DL4J's order: the same gradient bit for bit on both paths.
        assertDl4jKernelsRunTheReference(networks[0], networks[1], Comparisons.tokens(VOCABULARY, 6, 9, 23), false);
    }

    @Test
    void trainsLikeDl4jsEmbedding() {
        var networks = pair(true);
        for (int i = 0; i < 6; i++) {
            var data = Comparisons.tokens(VOCABULARY, 6, 10, 70 + i);
            networks[0].fit(data);
            networks[1].fit(data);
        }
        assertThat(maxRelativeDifference(networks[0].params(), networks[1].params())).isLessThan(1e-5);
    }
}
