package dev.lmpipe.model;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.AdamUpdater;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the training settings beyond Adam's step do to a step: decoupled weight decay on exactly the weight matrices
 * and embeddings, global-norm clipping of the whole gradient, and a learning rate schedule that travels with the
 * network's configuration.
 */
class OptimizationTest {
    private static final int VOCABULARY = 11;
    private static final int WINDOW = 8;
    private static final double LEARNING_RATE = 0.01;

    private static MultiLayerNetwork build(String kind, Optimization optimization) {
        var spec = kind.equals("gpt") ? new TransformerSpec(16, 2, 2, WINDOW, 0.0) : new LstmSpec(8, 24, 2, 0.0);
        return spec.build(VOCABULARY, optimization);
    }

    private static Optimization optimization(double clip, Optimization.ClipScope scope, double weightDecay) {
        return new Optimization(LEARNING_RATE, clip, scope, weightDecay, WINDOW, WINDOW, 42);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt", "lstm"})
    void weightDecayShrinksEveryMatrixAndEmbeddingByLearningRateTimesDecayAndNothingElse(String kind) {
        double decay = 0.5;
        var plain = build(kind, optimization(1.0, Optimization.ClipScope.layer, 0));
        var decayed = build(kind, optimization(1.0, Optimization.ClipScope.layer, decay));
        var before = copies(decayed);
        var data = Comparisons.tokens(VOCABULARY, 6, WINDOW, 50);
        plain.fit(data);
        decayed.fit(data);
        // A rule of the optimizer, not a term of the loss: the training loss lmpipe prints is the same.
        assertThat(decayed.score()).isEqualTo(plain.score());
        int matrices = 0;
        for (var entry : before.entrySet()) {
            INDArray start = entry.getValue();
            INDArray difference = param(decayed, entry.getKey()).sub(param(plain, entry.getKey()));
            if (isMatrix(start)) {
                // AdamW: the same Adam step, and learningRate × decay × w more off each weight.
                INDArray expected = start.mul(-LEARNING_RATE * decay);
                // Float rounding of parameters up to about 4 (the LSTM's N(0, 1) embedding).
                assertThat(difference.sub(expected).amaxNumber().doubleValue()).as(entry.getKey())
                        .isLessThan(1e-7 * (1 + start.amaxNumber().doubleValue()));
                matrices++;
            } else {
                assertThat(difference.amaxNumber().doubleValue()).as(entry.getKey()).isZero();
            }
        }
        // LSTM: embedding, two LSTMs' input and recurrent matrices, output matrix. GPT: token and position
        // embeddings, four matrices in each of two blocks, output matrix.
        assertThat(matrices).isEqualTo(kind.equals("gpt") ? 11 : 6);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt", "lstm"})
    void globalClippingScalesTheWholeGradientToItsLimit(String kind) {
        // Per character 1e-3, × 8 steps: far below this gradient's norm. The other limit is never reached.
        var clipped = build(kind, optimization(1e-3, Optimization.ClipScope.global, 0));
        var unclipped = build(kind, optimization(1e9, Optimization.ClipScope.global, 0));
        var data = Comparisons.tokens(VOCABULARY, 6, WINDOW, 51);
        clipped.fit(data);
        unclipped.fit(data);
        // Adam's first moment after one step is (1 - β1) × the gradient it was given.
        INDArray gradient = firstMoment(unclipped).divi(0.1);
        double norm = gradient.norm2Number().doubleValue();
        assertThat(norm).isGreaterThan(1e-2);
        INDArray expected = gradient.mul(1e-3 * WINDOW / norm);
        INDArray given = firstMoment(clipped).divi(0.1);
        assertThat(given.sub(expected).amaxNumber().doubleValue()).isLessThan(1e-6 * expected.amaxNumber().doubleValue());
        // No layer clips on its own as well.
        for (var conf : clipped.getLayerWiseConfigurations().getConfs()) {
            assertThat(conf.getLayer().getGradientNormalization())
                    .isIn(null, org.deeplearning4j.nn.conf.GradientNormalization.None);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt", "lstm"})
    void aCheckpointsNetworkTakesTheRunsSettingsAsIfBuiltWithThem(String kind) {
        var wanted = new Optimization(0.003, 0.5, Optimization.ClipScope.global, 0.1, WINDOW, WINDOW, 42);
        var network = build(kind, optimization(1.0, Optimization.ClipScope.layer, 0));
        Networks.applyOptimization(network, wanted);
        assertThat(network.getLayerWiseConfigurations().toJson().lines())
                .containsExactlyElementsOf(build(kind, wanted).getLayerWiseConfigurations().toJson().lines().toList());
    }

    @Test
    void theScheduleReachesEveryLayerAndSurvivesCheckpointsAndCopies() throws Exception {
        var network = build("gpt", optimization(1.0, Optimization.ClipScope.layer, 0));
        var schedule = new LearningRateSchedule(LearningRateSchedule.Shape.cosine, LEARNING_RATE, 1_000, 100_000, 0.1, 48)
                .anchoredAt(30_000, 7);
        Networks.setLearningRate(network, schedule);
        double expected = schedule.valueAt(9, 0);
        assertThat(expected).isLessThan(LEARNING_RATE).isGreaterThan(0.1 * LEARNING_RATE);
        var bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(network, bytes, true);
        var restored = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(bytes.toByteArray()), true);
        for (var copy : new MultiLayerNetwork[] {network, restored,
                new MultiLayerNetwork(network.getLayerWiseConfigurations().clone())}) {
            copy.init();
            int layers = 0;
            var confs = copy.getLayerWiseConfigurations().getConfs();
            for (int i = 0; i < confs.size(); i++) {
                for (String param : copy.getLayer(i).paramTable().keySet()) {
                    var adam = (FastAdam) confs.get(i).getLayer().getUpdaterByParam(param);
                    assertThat(adam.getLearningRate(9, 0)).as("layer %d, %s", i, param).isEqualTo(expected);
                }
                layers += copy.getLayer(i).numParams() > 0 ? 1 : 0;
            }
            // Token and position embeddings, two blocks, the final LayerNorm, the output layer.
            assertThat(layers).as("layers with parameters").isEqualTo(6);
        }
    }

    private static boolean isMatrix(INDArray param) {
        return param.rank() == 2 && Math.min(param.size(0), param.size(1)) > 1;
    }

    private static Map<String, INDArray> copies(MultiLayerNetwork network) {
        var copies = new HashMap<String, INDArray>();
        network.paramTable().forEach((key, value) -> copies.put(key, value.dup()));
        return copies;
    }

    private static INDArray param(MultiLayerNetwork network, String key) {
        return network.paramTable().get(key);
    }

    /** Adam's first moment of every parameter, in the order of the updater's blocks. */
    private static INDArray firstMoment(MultiLayerNetwork network) {
        var parts = new ArrayList<INDArray>();
        for (var block : ((BaseMultiLayerUpdater<?>) network.getUpdater()).getUpdaterBlocks()) {
            parts.add(((AdamUpdater) block.getGradientUpdater()).getState().get(AdamUpdater.M_STATE).reshape(-1).dup());
        }
        return Nd4j.concat(0, parts.toArray(INDArray[]::new));
    }
}
