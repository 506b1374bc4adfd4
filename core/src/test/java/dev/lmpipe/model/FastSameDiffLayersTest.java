package dev.lmpipe.model;

import dev.lmpipe.model.runtime.CorrectedSameDiffLayer;
import dev.lmpipe.model.runtime.FastLayerNormLayer;
import dev.lmpipe.model.runtime.FastPositionEmbeddingLayer;
import dev.lmpipe.model.runtime.FastTransformerBlockLayer;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.impl.LossSparseMCXENT;

import java.util.Collection;
import java.util.Random;

import static dev.lmpipe.model.Comparisons.assertSameScoreAndGradients;
import static dev.lmpipe.model.Comparisons.maxRelativeDifference;
import static dev.lmpipe.model.Comparisons.assertDl4jKernelsRunTheReference;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The fast GPT layers (FastTransformerBlockLayer, FastPositionEmbeddingLayer, FastLayerNormLayer) against
 * their SameDiff graphs with the same parameters: same outputs, gradients and training steps. The SameDiff graphs
 * themselves are checked against finite differences in double precision (TransformerLayersTest).
 */
class FastSameDiffLayersTest {
    private static final int VOCABULARY = 13;

    /** The layers as their SameDiff graphs only: the reference. */
    static final class SameDiffBlock extends TransformerBlock {
        SameDiffBlock(int width, int heads, int block, int layers) {
            super(width, heads, block, layers, 0.0);
        }

        @Override
        public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int index,
                                 INDArray paramsView, boolean initializeParams, DataType dataType) {
            return CorrectedSameDiffLayer.create(conf, index, paramsView, initializeParams, dataType);
        }
    }

    static final class SameDiffPositions extends PositionEmbedding {
        SameDiffPositions(int width, int block) {
            super(width, block);
        }

        @Override
        public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int index,
                                 INDArray paramsView, boolean initializeParams, DataType dataType) {
            return CorrectedSameDiffLayer.create(conf, index, paramsView, initializeParams, dataType);
        }
    }

    static final class SameDiffNorm extends LayerNorm {
        SameDiffNorm(int width, int block) {
            super(width, block);
        }

        @Override
        public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int index,
                                 INDArray paramsView, boolean initializeParams, DataType dataType) {
            return CorrectedSameDiffLayer.create(conf, index, paramsView, initializeParams, dataType);
        }
    }

    private static MultiLayerNetwork network(boolean fast, int width, int heads, int block, int layers) {
        var list = new NeuralNetConfiguration.Builder()
                .seed(11).dataType(DataType.FLOAT).updater(new Sgd(0.05))
                .list()
                .layer(new EmbeddingSequenceLayer.Builder().nIn(VOCABULARY).nOut(width).hasBias(false)
                        .outputDataFormat(RNNFormat.NCW).build())
                .layer(fast ? new PositionEmbedding(width, block) : new SameDiffPositions(width, block));
        for (int i = 0; i < layers; i++) {
            list.layer(fast ? new TransformerBlock(width, heads, block, layers, 0.0)
                    : new SameDiffBlock(width, heads, block, layers));
        }
        list.layer(fast ? new LayerNorm(width, block) : new SameDiffNorm(width, block))
                .layer(new RnnOutputLayer.Builder(new LossSparseMCXENT()).nIn(width).nOut(VOCABULARY)
                        .activation(Activation.SOFTMAX).dataFormat(RNNFormat.NCW).build());
        var network = new MultiLayerNetwork(list.build());
        network.init();
        return network;
    }

    /** The SameDiff network and the fast one with the very same parameters; gains and biases made non-trivial. */
    private static MultiLayerNetwork[] pair(int width, int heads, int block, int layers) {
        var reference = network(false, width, heads, block, layers);
        var random = new Random(5);
        var params = reference.params();
        for (long i = 0; i < params.length(); i++) {
            // Perturb everything a little: initial gains of 1 and biases of 0 would hide a swapped gain or bias.
            params.putScalar(i, params.getFloat(i) + 0.05f * (float) random.nextGaussian());
        }
        var fast = network(true, width, heads, block, layers);
        fast.setParams(params.dup());
        return new MultiLayerNetwork[] {reference, fast};
    }

    private static DataSet tokens(int minibatch, int steps, long seed) {
        return Comparisons.tokens(VOCABULARY, minibatch, steps, seed);
    }

    @ParameterizedTest(name = "minibatch {0}, width {1}, {2} heads, block {3}, {4} block(s)")
    @CsvSource({"3, 16, 4, 8, 2", "1, 8, 1, 1, 1", "2, 12, 3, 5, 1", "16, 128, 4, 64, 1"})
    void givesTheSameDiffGraphsOutputsAndGradients(int minibatch, int width, int heads, int block, int layers) {
        var networks = pair(width, heads, block, layers);
        var data = tokens(minibatch, block, 31L * minibatch + block);

        // Float arithmetic in a different order: relative differences of a few float epsilons per operation.
        var features = data.getFeatures();
        assertThat(maxRelativeDifference(networks[0].output(features), networks[1].output(features)))
                .isLessThan(1e-5);
        assertSameScoreAndGradients(networks[0], networks[1], data, 1e-5, 1e-4);
    }

    @Test
    void underDl4jKernelsAreTheSameDiffGraphs() {
        var networks = pair(16, 4, 8, 2);
        assertDl4jKernelsRunTheReference(networks[0], networks[1], tokens(3, 8, 22), true);
    }

    @ParameterizedTest(name = "minibatch {0}, {1} threads")
    @CsvSource({"16, 2", "13, 3", "9, 2"})
    void slicesOfTheMinibatchOnThreadsGiveTheSameDiffGraphsResults(int minibatch, int threads) {
        var networks = pair(16, 4, 8, 2);
        Networks.useThreads(networks[1], threads);
        var data = tokens(minibatch, 8, 17L * minibatch + threads);

        var features = data.getFeatures();
        assertThat(maxRelativeDifference(networks[0].output(features), networks[1].output(features)))
                .isLessThan(1e-5);
        assertSameScoreAndGradients(networks[0], networks[1], data, 1e-5, 1e-4);
        // A smaller minibatch recuts the slices; training steps sum the slices' gradients.
        assertSameScoreAndGradients(networks[0], networks[1], tokens(minibatch - 1, 8, 3), 1e-5, 1e-4);
        for (int step = 0; step < 5; step++) {
            var batch = tokens(minibatch, 8, 50 + step);
            for (var network : networks) {
                network.fit(batch);
            }
        }
        assertThat(maxRelativeDifference(networks[0].params(), networks[1].params())).isLessThan(1e-4);
    }

    @Test
    void threadsAreARuntimeSettingThatSurvivesJson() {
        var network = network(true, 8, 2, 4, 1);
        Networks.useThreads(network, 3);
        var restored = MultiLayerConfiguration.fromJson(network.getLayerWiseConfigurations().toJson());
        assertThat(((TransformerBlock) restored.getConf(2).getLayer()).getThreads()).isEqualTo(3);
        assertThat(restored.getConfs()).map(conf -> conf.getLayer()).filteredOn(LayerNorm.class::isInstance)
                .singleElement().extracting(layer -> ((LayerNorm) layer).getThreads()).isEqualTo(3);
    }

    @Test
    void trainsLikeTheSameDiffGraph() {
        var networks = pair(16, 2, 8, 2);
        for (int step = 0; step < 10; step++) {
            var data = tokens(4, 8, step);
            for (var network : networks) {
                network.fit(data);
            }
        }
        // Plain SGD (Adam would turn float noise in near-zero gradients into whole steps): parameters move by
        // about 0.01 per step, float rounding by far less.
        assertThat(maxRelativeDifference(networks[0].params(), networks[1].params())).isLessThan(1e-4);
        var probe = tokens(5, 8, 99).getFeatures();
        assertThat(maxRelativeDifference(networks[0].output(probe), networks[1].output(probe))).isLessThan(1e-4);
    }

    @Test
    void minibatchesOfOtherSizesAfterTrainingGiveTheirOwnResults() {
        var networks = pair(16, 4, 8, 1);
        networks[1].fit(tokens(4, 8, 1));
        networks[0].setParams(networks[1].params().dup());
        // A new minibatch size makes new buffers; an inference pass between two training passes must not leak.
        for (int minibatch : new int[] {1, 7, 4}) {
            var features = tokens(minibatch, 8, minibatch).getFeatures();
            assertThat(maxRelativeDifference(networks[0].output(features), networks[1].output(features)))
                    .as("minibatch %d", minibatch).isLessThan(1e-5);
        }
    }
}
