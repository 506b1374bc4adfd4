package dev.lmpipe.model;

import dev.lmpipe.model.runtime.FastLstmLayer;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.impl.LossSparseMCXENT;


import static dev.lmpipe.model.Comparisons.assertSameScoreAndGradients;
import static dev.lmpipe.model.Comparisons.maxRelativeDifference;
import static dev.lmpipe.model.Comparisons.assertDl4jKernelsRunTheReference;
import static dev.lmpipe.model.Comparisons.exactly;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** FastLstm against DL4J's own LSTM with the same parameters: same outputs, gradients and training steps. */
class FastLstmTest {
    private static final int VOCABULARY = 11;

    private static MultiLayerNetwork network(boolean fast, int hidden, int layers) {
        return network(fast, hidden, layers, 1);
    }

    private static MultiLayerNetwork network(boolean fast, int hidden, int layers, int threads) {
        var list = new NeuralNetConfiguration.Builder()
                .seed(7).dataType(DataType.FLOAT).weightInit(WeightInit.XAVIER).updater(new Adam(0.01))
                .list()
                .layer(new EmbeddingSequenceLayer.Builder().nIn(VOCABULARY).nOut(6).hasBias(false)
                        .outputDataFormat(RNNFormat.NCW).build());
        for (int i = 0; i < layers; i++) {
            LSTM lstm = new LSTM.Builder().nIn(i == 0 ? 6 : hidden).nOut(hidden).activation(Activation.TANH)
                    .dataFormat(RNNFormat.NCW).build();
            if (fast) {
                var fastLstm = FastLstm.of(lstm);
                fastLstm.setThreads(threads);
                list.layer(fastLstm);
            } else {
                list.layer(lstm);
            }
        }
        list.layer(new RnnOutputLayer.Builder(new LossSparseMCXENT()).nIn(hidden).nOut(VOCABULARY)
                .activation(Activation.SOFTMAX).dataFormat(RNNFormat.NCW).build());
        var network = new MultiLayerNetwork(list.build());
        network.init();
        return network;
    }

    /** A DL4J LSTM network and the FastLstm network with the very same parameters. */
    private static MultiLayerNetwork[] pair(int hidden, int layers) {
        return pair(hidden, layers, 1);
    }

    private static MultiLayerNetwork[] pair(int hidden, int layers, int threads) {
        var reference = network(false, hidden, layers);
        var fast = network(true, hidden, layers, threads);
        fast.setParams(reference.params().dup());
        return new MultiLayerNetwork[] {reference, fast};
    }

    private static DataSet tokens(int minibatch, int steps, long seed) {
        return Comparisons.tokens(VOCABULARY, minibatch, steps, seed);
    }

    @Test
    void isTheLayerThatBuildsAndSurvivesJson() {
        var fast = network(true, 8, 1);
        assertThat(fast.getLayer(1)).isInstanceOf(FastLstmLayer.class);

        var restored = MultiLayerConfiguration.fromJson(fast.getLayerWiseConfigurations().toJson());

        assertThat(restored.getConf(1).getLayer()).isInstanceOf(FastLstm.class)
                .isEqualTo(fast.getLayerWiseConfigurations().getConf(1).getLayer());
        var rebuilt = new MultiLayerNetwork(restored);
        rebuilt.init(fast.params().dup(), false);
        var data = tokens(3, 5, 1);
        assertThat(exactly(rebuilt.output(data.getFeatures()))).isEqualTo(exactly(fast.output(data.getFeatures())));
    }

    @ParameterizedTest(name = "minibatch {0}, {1} steps, hidden {2}, {3} layer(s)")
    @CsvSource({"4, 9, 8, 1", "1, 1, 5, 1", "3, 17, 12, 2", "32, 64, 64, 1"})
    void givesDl4jsOutputsAndGradients(int minibatch, int steps, int hidden, int layers) {
        var networks = pair(hidden, layers);
        var data = tokens(minibatch, steps, minibatch * 31L + steps);

        assertThat(maxRelativeDifference(networks[0].output(data.getFeatures()), networks[1].output(data.getFeatures())))
                .isLessThan(1e-5);
        // The score sums the loss over time steps: compare in float's relative precision.
        assertSameScoreAndGradients(networks[0], networks[1], data, 1e-6, 1e-4);
    }

    @Test
    void underDl4jKernelsIsDl4jsLstm() {
        var networks = pair(12, 2, 2);
        assertDl4jKernelsRunTheReference(networks[0], networks[1], tokens(5, 7, 21), true);
    }

    @ParameterizedTest(name = "minibatch {0}, {1} threads")
    @CsvSource({"32, 2", "13, 3", "9, 2", "5, 4"})
    void slicesOfTheMinibatchOnThreadsGiveDl4jsOutputsAndGradients(int minibatch, int threads) {
        var networks = pair(16, 2, threads);
        var data = tokens(minibatch, 11, minibatch * 7L + threads);

        var features = data.getFeatures();
        assertThat(maxRelativeDifference(networks[0].output(features), networks[1].output(features))).isLessThan(1e-5);
        assertSameScoreAndGradients(networks[0], networks[1], data, 1e-6, 1e-4);
        // Minibatches of other sizes through the same layers: slices are recut, DL4J's results still met.
        var smaller = tokens(minibatch - 1, 11, 5);
        assertSameScoreAndGradients(networks[0], networks[1], smaller, 1e-6, 1e-4);
        for (int i = 0; i < 5; i++) {
            var step = tokens(minibatch, 11, 100 + i);
            networks[0].fit(step);
            networks[1].fit(step);
        }
        assertThat(maxRelativeDifference(networks[0].params(), networks[1].params())).isLessThan(1e-4);
    }

    @Test
    void threadsAreARuntimeSettingThatSurvivesJson() {
        var fast = network(true, 8, 1, 3);
        var restored = MultiLayerConfiguration.fromJson(fast.getLayerWiseConfigurations().toJson());
        assertThat(((FastLstm) restored.getConf(1).getLayer()).getThreads()).isEqualTo(3);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new FastLstm().setThreads(0))
                .hasMessageContaining("threads must be at least 1, got 0");
    }

    @Test
    void trainsLikeDl4jsLstmAndStepsLikeItAfterwards() {
        var networks = pair(16, 2);
        for (int i = 0; i < 10; i++) {
            var data = tokens(5, 12, i);
            networks[0].fit(data);
            networks[1].fit(data);
        }
        assertThat(maxRelativeDifference(networks[0].params(), networks[1].params())).isLessThan(1e-4);

        // Generation steps one token at a time through DL4J's stored-state path: same as the whole window.
        var data = tokens(2, 6, 99);
        var whole = networks[1].output(data.getFeatures());
        networks[1].rnnClearPreviousState();
        for (int t = 0; t < 6; t++) {
            var step = networks[1].rnnTimeStep(data.getFeatures().get(
                    NDArrayIndex.all(), NDArrayIndex.all(),
                    NDArrayIndex.interval(t, t + 1)));
            var expected = whole.get(NDArrayIndex.all(),
                    NDArrayIndex.all(), NDArrayIndex.point(t));
            assertThat(maxRelativeDifference(expected, step.reshape(expected.shape()))).isLessThan(1e-5);
        }
    }

    @Test
    void stepsLikeDl4jFromAPromptOnwards() {
        var networks = pair(12, 2);
        var prompt = tokens(3, 5, 11).getFeatures();
        var next = tokens(3, 4, 12).getFeatures();
        for (var network : networks) {
            network.rnnClearPreviousState();
        }

        assertThat(maxRelativeDifference(networks[0].rnnTimeStep(prompt), networks[1].rnnTimeStep(prompt))).isLessThan(1e-5);
        for (int t = 0; t < 4; t++) {
            var token = next.get(NDArrayIndex.all(), NDArrayIndex.all(),
                    NDArrayIndex.interval(t, t + 1));
            assertThat(maxRelativeDifference(networks[0].rnnTimeStep(token), networks[1].rnnTimeStep(token))).isLessThan(1e-5);
        }
        var expected = networks[0].rnnGetPreviousState(2);
        var actual = networks[1].rnnGetPreviousState(2);
        for (var key : expected.keySet()) {
            assertThat(maxRelativeDifference(expected.get(key), actual.get(key))).as(key).isLessThan(1e-5);
        }
    }

    @Test
    void masksTakeDl4jsPath() {
        var networks = pair(8, 1);
        var data = tokens(3, 7, 5);
        var mask = Nd4j.ones(DataType.FLOAT, 3, 7);
        mask.putScalar(new int[] {1, 6}, 0);
        mask.putScalar(new int[] {2, 5}, 0);
        mask.putScalar(new int[] {2, 6}, 0);

        var expected = networks[0].output(data.getFeatures(), false, mask, null);
        var actual = networks[1].output(data.getFeatures(), false, mask, null);

        assertThat(maxRelativeDifference(expected, actual)).isLessThan(1e-6);
    }
}
