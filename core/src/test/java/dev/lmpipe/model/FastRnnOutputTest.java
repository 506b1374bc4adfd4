package dev.lmpipe.model;

import dev.lmpipe.model.runtime.FastRnnOutputLayer;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.impl.LossSparseMCXENT;

import static dev.lmpipe.model.Comparisons.assertSameScoreAndGradients;
import static dev.lmpipe.model.Comparisons.maxRelativeDifference;
import static dev.lmpipe.model.Comparisons.assertDl4jKernelsRunTheReference;
import static dev.lmpipe.model.Comparisons.exactly;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** FastRnnOutput against DL4J's RnnOutputLayer with the same parameters: same outputs, scores, gradients, steps. */
class FastRnnOutputTest {
    private static final int VOCABULARY = 13;

    /** Embedding (width 6), optionally an LSTM of 10 (ours, whose output is a view), then the output layer. */
    private static MultiLayerNetwork network(boolean fast, boolean lstm, int threads, double dropout) {
        var list = new NeuralNetConfiguration.Builder()
                .seed(3).dataType(DataType.FLOAT).weightInit(WeightInit.XAVIER).updater(new Adam(0.01))
                .list()
                .layer(new EmbeddingSequenceLayer.Builder().nIn(VOCABULARY).nOut(6).hasBias(false)
                        .outputDataFormat(RNNFormat.NCW).build());
        int width = 6;
        if (lstm) {
            list.layer(FastLstm.of(new LSTM.Builder().nIn(6).nOut(10).activation(Activation.TANH)
                    .dataFormat(RNNFormat.NCW).build()));
            width = 10;
        }
        var output = new RnnOutputLayer.Builder(new LossSparseMCXENT()).nIn(width).nOut(VOCABULARY)
                .activation(Activation.SOFTMAX).dataFormat(RNNFormat.NCW);
        if (dropout > 0) {
            output.dropOut(1 - dropout);
        }
        if (fast) {
            var fastOutput = FastRnnOutput.of(output.build());
            fastOutput.setThreads(threads);
            list.layer(fastOutput);
        } else {
            list.layer(output.build());
        }
        var network = new MultiLayerNetwork(list.build());
        network.init();
        return network;
    }

    private static MultiLayerNetwork[] pair(boolean lstm, int threads) {
        var reference = network(false, lstm, 1, 0);
        var fast = network(true, lstm, threads, 0);
        // Biases away from DL4J's zeros, so that a missing bias would show.
        reference.getOutputLayer().getParam("b").assign(Nd4j.rand(DataType.FLOAT, 1, VOCABULARY).subi(0.5));
        fast.setParams(reference.params().dup());
        return new MultiLayerNetwork[] {reference, fast};
    }

    private static DataSet tokens(int minibatch, int steps, long seed) {
        return Comparisons.tokens(VOCABULARY, minibatch, steps, seed);
    }

    @Test
    void isTheLayerThatBuildsAndSurvivesJson() {
        var fast = network(true, false, 3, 0);
        assertThat(fast.getOutputLayer()).isInstanceOf(FastRnnOutputLayer.class);

        var restored = MultiLayerConfiguration.fromJson(fast.getLayerWiseConfigurations().toJson());

        var layer = restored.getConf(1).getLayer();
        assertThat(layer).isInstanceOf(FastRnnOutput.class)
                .isEqualTo(fast.getLayerWiseConfigurations().getConf(1).getLayer());
        assertThat(((FastRnnOutput) layer).getThreads()).isEqualTo(3);
        var rebuilt = new MultiLayerNetwork(restored);
        rebuilt.init(fast.params().dup(), false);
        var features = tokens(3, 5, 1).getFeatures();
        assertThat(exactly(rebuilt.output(features))).isEqualTo(exactly(fast.output(features)));
        assertThatThrownBy(() -> new FastRnnOutput().setThreads(0))
                .hasMessageContaining("threads must be at least 1, got 0");
    }

    @ParameterizedTest(name = "minibatch {0}, {1} steps, {2} thread(s), LSTM below: {3}")
    @CsvSource({"4, 9, 1, false", "1, 1, 1, false", "32, 64, 2, false", "13, 7, 3, true", "9, 11, 2, true",
            "5, 3, 4, false"})
    void givesDl4jsOutputsScoresAndGradients(int minibatch, int steps, int threads, boolean lstm) {
        var networks = pair(lstm, threads);
        var data = tokens(minibatch, steps, minibatch * 17L + steps);
        var features = data.getFeatures();

        var expected = networks[0].output(features);
        var actual = networks[1].output(features);
        assertThat(actual.shape()).isEqualTo(expected.shape());
        assertThat(maxRelativeDifference(expected, actual)).isLessThan(1e-5);
        // DL4J sums the loss of up to 2,048 rows in float, we in double: relative 1e-5.
        assertSameScoreAndGradients(networks[0], networks[1], data, 1e-5, 1e-4);
        // The score of data the layer has not trained on: computed, not the training pass's.
        var other = tokens(minibatch, steps, 5);
        assertThat(networks[1].score(other)).isCloseTo(networks[0].score(other), within(1e-5 * networks[0].score(other)));
    }

    @Test
    void underDl4jKernelsIsDl4jsOutputLayer() {
        var networks = pair(true, 2);
        assertDl4jKernelsRunTheReference(networks[0], networks[1], tokens(6, 9, 24), true);
    }

    @Test
    void trainsLikeDl4jsOutputLayer() {
        var networks = pair(true, 2);
        for (int i = 0; i < 8; i++) {
            var data = tokens(9, 12, 40 + i);
            networks[0].fit(data);
            networks[1].fit(data);
            assertThat(networks[1].score()).isCloseTo(networks[0].score(), within(1e-4 * networks[0].score()));
        }
        assertThat(maxRelativeDifference(networks[0].params(), networks[1].params())).isLessThan(1e-4);
    }

    @Test
    void aConfidentWrongPredictionScoresAsDl4jClipsIt() {
        var networks = pair(false, 1);
        for (var network : networks) {
            // Huge weights: probabilities of wrong labels far below DL4J's floor of 1e-10.
            network.getOutputLayer().getParam("W").muli(400);
        }
        var data = tokens(3, 6, 8);
        assertSameScoreAndGradients(networks[0], networks[1], data, 1e-5, 1e-4);
    }

    @Test
    void labelsThatAreNoClassIdAreRejectedWithTheirPlace() {
        var network = network(true, false, 1, 0);
        var data = tokens(2, 4, 3);
        data.getLabels().putScalar(new int[] {1, 0, 2}, VOCABULARY);

        assertThatThrownBy(() -> network.fit(data)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("label 13.0 at example 1, step 2 is not a class id in [0, 13)");
    }

    @Test
    void dropoutAndMasksTakeDl4jsPath() {
        var reference = network(false, false, 1, 0.5);
        var fast = network(true, false, 2, 0.5);
        fast.setParams(reference.params().dup());
        var data = tokens(3, 7, 5);
        // Not training: dropout does nothing, both give DL4J's outputs.
        assertThat(maxRelativeDifference(reference.output(data.getFeatures()), fast.output(data.getFeatures())))
                .isLessThan(1e-6);

        var networks = pair(false, 2);
        var mask = Nd4j.ones(DataType.FLOAT, 3, 7);
        mask.putScalar(new int[] {1, 6}, 0);
        mask.putScalar(new int[] {2, 5}, 0);
        data.setLabelsMaskArray(mask);
        data.setFeaturesMaskArray(mask);
        for (var network : networks) {
            network.setLayerMaskArrays(mask, mask);
        }
        assertSameScoreAndGradients(networks[0], networks[1], data, 1e-5, 1e-4);
    }
}
