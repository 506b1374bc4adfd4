package dev.lmpipe.model;

import dev.lmpipe.model.kernel.BlockParameters;

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
    void lstmStartsAsPyTorchStartsTheSameLayers() {
        var network = new LstmSpec(32, 64, 2, 0.0).build(100, OPTIMIZATION);
        // Embedding N(0, 1): standard deviation near 1 over 3,200 draws.
        assertThat(network.getLayer(0).getParam("W").stdNumber().doubleValue()).isCloseTo(1.0, within(0.05));
        double bound = 1 / Math.sqrt(64);
        for (int i = 1; i <= 2; i++) {
            for (String key : new String[] {"W", "RW"}) {
                var weights = network.getLayer(i).getParam(key);
                assertThat(weights.amaxNumber().doubleValue()).as(key)
                        .isLessThanOrEqualTo(bound).isGreaterThan(0.9 * bound);
                // U(-a, a) has standard deviation a/√3.
                assertThat(weights.stdNumber().doubleValue()).as(key)
                        .isCloseTo(bound / Math.sqrt(3), within(0.1 * bound));
            }
            // b_ih + b_hh: two uniforms summed, so within ±2a, spread a·√(2/3), and no forget-gate bias of 1.
            var bias = network.getLayer(i).getParam("b");
            assertThat(bias.amaxNumber().doubleValue()).isLessThanOrEqualTo(2 * bound);
            assertThat(bias.stdNumber().doubleValue()).isCloseTo(bound * Math.sqrt(2.0 / 3), within(0.15 * bound));
        }
        var output = network.getOutputLayer();
        assertThat(output.getParam("W").amaxNumber().doubleValue()).isLessThanOrEqualTo(bound);
        assertThat(output.getParam("b").amaxNumber().doubleValue()).isLessThanOrEqualTo(bound).isGreaterThan(0);
    }

    @Test
    void transformerLinearMapsStartAsPyTorchsLinear() {
        var network = new TransformerSpec(32, 2, 2, 8, 0.0).build(50, new Optimization(0.01, 1.0, 8, 8, 42));
        var block = network.getLayer(2).paramTable();
        for (String key : new String[] {BlockParameters.QKV_WEIGHT, BlockParameters.ATTENTION_OUT_WEIGHT,
                BlockParameters.HIDDEN_WEIGHT, BlockParameters.MLP_OUT_WEIGHT}) {
            var weights = block.get(key);
            double bound = 1 / Math.sqrt(weights.size(0));
            assertThat(weights.amaxNumber().doubleValue()).as(key)
                    .isLessThanOrEqualTo(bound).isGreaterThan(0.9 * bound);
        }
        assertThat(block.get(BlockParameters.QKV_BIAS).amaxNumber().doubleValue())
                .isLessThanOrEqualTo(1 / Math.sqrt(32)).isGreaterThan(0);
        assertThat(block.get(BlockParameters.MLP_OUT_BIAS).amaxNumber().doubleValue())
                .isLessThanOrEqualTo(1 / Math.sqrt(128)).isGreaterThan(0);
        assertThat(block.get(BlockParameters.NORM1_GAIN).minNumber().doubleValue()).isEqualTo(1.0);
        assertThat(network.getOutputLayer().getParam("b").amaxNumber().doubleValue())
                .isLessThanOrEqualTo(1 / Math.sqrt(32)).isGreaterThan(0);
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
