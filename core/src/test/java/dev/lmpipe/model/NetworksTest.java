package dev.lmpipe.model;

import dev.lmpipe.data.Minibatches;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class NetworksTest {
    private static final int VOCABULARY = 10;
    private static final LstmSpec SPEC = new LstmSpec(16, 32, 2, 0.1);
    private static final Optimization OPTIMIZATION = new Optimization(0.01, 1.0, 8, 8, 42);

    /** Four windows of 9 tokens from the cycle 1, 2, 3 (each token determines the next), at different phases. */
    static DataSet repeatingPattern(int steps) {
        int[][] windows = new int[4][steps + 1];
        for (int b = 0; b < windows.length; b++) {
            for (int t = 0; t <= steps; t++) {
                windows[b][t] = 1 + (b + t) % 3;
            }
        }
        return Minibatches.fromWindows(windows);
    }

    @Test
    void outputIsADistributionOverTheVocabularyForEveryStep() {
        MultiLayerNetwork network = SPEC.build(VOCABULARY, OPTIMIZATION);
        DataSet data = repeatingPattern(8);

        INDArray output = network.output(data.getFeatures(), false);

        assertThat(output.shape()).containsExactly(4, VOCABULARY, 8);
        // Softmax in float32: each sum is 1 up to a few ulps of the 10 terms, far inside 1e-5.
        float[] sums = output.sum(1).dup('c').data().asFloat();
        assertThat(sums).hasSize(4 * 8);
        for (float sum : sums) {
            assertThat(sum).isCloseTo(1f, within(1e-5f));
        }
        assertThat(output.minNumber().doubleValue()).isGreaterThan(0);
    }

    @Test
    void fittingARepeatingPatternMoreThanHalvesTheLossWithSparseIntegerLabels() {
        MultiLayerNetwork network = SPEC.build(VOCABULARY, OPTIMIZATION);
        DataSet data = repeatingPattern(8);
        double before = network.score(data);

        for (int i = 0; i < 50; i++) {
            network.fit(data);
        }
        double after = network.score(data);

        // Untrained, the loss is about ln(10) ≈ 2.3 nats per step; the pattern is fully predictable.
        assertThat(before).isGreaterThan(1.5);
        assertThat(after).isLessThan(before / 2);
    }

    @Test
    void sameSeedGivesIdenticalParameters() {
        INDArray first = SPEC.build(VOCABULARY, OPTIMIZATION).params();
        INDArray second = SPEC.build(VOCABULARY, OPTIMIZATION).params();
        INDArray otherSeed = SPEC.build(VOCABULARY, new Optimization(0.01, 1.0, 8, 8, 43)).params();

        assertThat(second.dup('c').data().asFloat()).containsExactly(first.dup('c').data().asFloat());
        assertThat(otherSeed.dup('c').data().asFloat()).isNotEqualTo(first.dup('c').data().asFloat());
    }

    @Test
    void layersAreEmbeddingThenLstmsThenOutput() {
        MultiLayerNetwork network = SPEC.build(VOCABULARY, OPTIMIZATION);
        assertThat(network.getnLayers()).isEqualTo(1 + 2 + 1);
        // embedding 10×16 (no bias); LSTM 4·32·(16+32+1) + 4·32·(32+32+1) ... + output 32·10 + 10
        long lstm1 = 4L * 32 * (16 + 32 + 1);
        long lstm2 = 4L * 32 * (32 + 32 + 1);
        assertThat(network.numParams()).isEqualTo(10 * 16 + lstm1 + lstm2 + 32 * 10 + 10);
    }

    @Test
    void tbpttShorterThanSeqLenSelectsTruncatedBackpropagation() {
        var truncated = SPEC.build(VOCABULARY, new Optimization(0.01, 1.0, 8, 4, 42)).getLayerWiseConfigurations();
        assertThat(truncated.getBackpropType()).isEqualTo(BackpropType.TruncatedBPTT);
        assertThat(truncated.getTbpttFwdLength()).isEqualTo(4);
        assertThat(truncated.getTbpttBackLength()).isEqualTo(4);

        var full = SPEC.build(VOCABULARY, OPTIMIZATION).getLayerWiseConfigurations();
        assertThat(full.getBackpropType()).isEqualTo(BackpropType.Standard);
    }

    @Test
    void truncatedBackpropagationAlsoLearnsThePattern() {
        MultiLayerNetwork network = new LstmSpec(16, 32, 1, 0.0).build(VOCABULARY, new Optimization(0.01, 1.0, 8, 4, 42));
        DataSet data = repeatingPattern(8);
        double before = network.score(data);
        for (int i = 0; i < 50; i++) {
            network.fit(data);
        }
        assertThat(network.score(data)).isLessThan(before / 2);
    }
}
