package dev.lmpipe.model.runtime;

import dev.lmpipe.model.Comparisons;
import dev.lmpipe.model.LstmSpec;
import dev.lmpipe.model.ModelSpec;
import dev.lmpipe.model.Networks;
import dev.lmpipe.model.Optimization;
import dev.lmpipe.model.TransformerSpec;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.MultiLayerUpdater;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.lmpipe.model.Comparisons.exactly;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fused update against DL4J's ops: the same parameters and Adam state after every step, bit for bit, on several
 * threads; with global clipping, against ViewUpdater's own path, which clips by the same norm.
 */
class FusedAdamUpdateTest {
    private static final int VOCABULARY = 11;
    private static final int WINDOW = 8;

    /** Networks of over 3 × 2^16 parameters, so that the update is cut into three ranges. */
    private static ModelSpec spec(String kind) {
        return kind.equals("gpt") ? new TransformerSpec(96, 2, 2, WINDOW, 0.0) : new LstmSpec(8, 160, 2, 0.0);
    }

    private static Optimization optimization(double clip, double weightDecay) {
        return new Optimization(0.01, clip, Optimization.ClipScope.global, weightDecay, WINDOW, WINDOW, 42);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt", "lstm"})
    void updatesExactlyAsDl4jsOwnUpdaterWithWeightDecay(String kind) {
        // A limit the gradient never reaches: DL4J's own updater does not clip globally.
        var fused = spec(kind).build(VOCABULARY, optimization(1e9, 0.1));
        var reference = new MultiLayerNetwork(fused.getLayerWiseConfigurations().clone());
        reference.init(fused.params().dup(), true);
        reference.setUpdater(new MultiLayerUpdater(reference));
        assertThat(fused.numParams()).isGreaterThan(3L << 16);
        trainAndCompare(fused, reference, 3);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt", "lstm"})
    void clipsAsViewUpdatersOwnPathOnAnyNumberOfThreads(String kind) {
        // Per character 1e-3: every step is clipped.
        var fused = spec(kind).build(VOCABULARY, optimization(1e-3, 0.1));
        var reference = new MultiLayerNetwork(fused.getLayerWiseConfigurations().clone());
        reference.init(fused.params().dup(), true);
        ViewUpdater.install(reference);
        ((ViewUpdater) reference.getUpdater()).unfuse();
        trainAndCompare(fused, reference, 3);

        var onOneThread = spec(kind).build(VOCABULARY, optimization(1e-3, 0.1));
        var reference2 = spec(kind).build(VOCABULARY, optimization(1e-3, 0.1));
        Networks.useThreads(reference2, 2);
        trainAndCompare(onOneThread, reference2, 1);
    }

    /** Four steps of both on the same minibatches, {@code fused} on {@code threads} threads, compared after each. */
    private static void trainAndCompare(MultiLayerNetwork fused, MultiLayerNetwork reference, int threads) {
        Networks.useThreads(fused, threads);
        for (int i = 0; i < 4; i++) {
            var data = Comparisons.tokens(VOCABULARY, 6, WINDOW, 70 + i);
            reference.fit(data);
            fused.fit(data);
            assertThat(exactly(fused.params())).as("parameters after step %d", i + 1)
                    .isEqualTo(exactly(reference.params()));
            assertThat(exactly(fused.getUpdater().getStateViewArray())).as("Adam's state after step %d", i + 1)
                    .isEqualTo(exactly(reference.getUpdater().getStateViewArray()));
        }
        assertThat(((ViewUpdater) fused.getUpdater()).fusedUpdates()).isEqualTo(4);
    }
}
