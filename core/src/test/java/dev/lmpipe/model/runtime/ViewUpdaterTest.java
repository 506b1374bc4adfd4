package dev.lmpipe.model.runtime;

import dev.lmpipe.model.Comparisons;
import dev.lmpipe.model.LstmSpec;
import dev.lmpipe.model.ModelSpec;
import dev.lmpipe.model.Networks;
import dev.lmpipe.model.Optimization;
import dev.lmpipe.model.TransformerSpec;


import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.MultiLayerUpdater;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

import static dev.lmpipe.model.Comparisons.exactly;
import static org.assertj.core.api.Assertions.assertThat;

/** ViewUpdater against DL4J's own updater: the same parameters and Adam state after every step. */
class ViewUpdaterTest {
    private static final int VOCABULARY = 11;
    // A clipping threshold of 0.02 · 8 steps: every layer's gradient is clipped, so that path is compared too.
    private static final Optimization OPTIMIZATION = new Optimization(0.01, 0.02, 8, 8, 42);

    private static ModelSpec spec(String kind) {
        return kind.equals("gpt") ? new TransformerSpec(16, 2, 2, 8, 0.0) : new LstmSpec(8, 24, 2, 0.0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt", "lstm"})
    void trainsExactlyAsDl4jsOwnUpdater(String kind) {
        var viewed = spec(kind).build(VOCABULARY, OPTIMIZATION);
        var reference = new MultiLayerNetwork(viewed.getLayerWiseConfigurations().clone());
        reference.init(viewed.params().dup(), true);
        reference.setUpdater(new MultiLayerUpdater(reference));
        Networks.useThreads(viewed, 2);
        Networks.useThreads(reference, 2);
        assertThat(viewed.getUpdater()).isInstanceOf(ViewUpdater.class);
        for (int i = 0; i < 4; i++) {
            var data = Comparisons.tokens(VOCABULARY, 6, 8, 50 + i);
            reference.fit(data);
            viewed.fit(data);
            assertThat(exactly(viewed.params())).isEqualTo(exactly(reference.params()));
            assertThat(exactly(viewed.getUpdater().getStateViewArray()))
                    .isEqualTo(exactly(reference.getUpdater().getStateViewArray()));
        }
        // Every step took DL4J's path for the network's own gradient, not the one for a gradient from elsewhere.
        assertThat(((ViewUpdater) viewed.getUpdater()).viewUpdates()).isEqualTo(4);
    }

    @Test
    void keepsTheStateOfTheUpdaterItReplaces() throws IOException {
        var network = spec("gpt").build(VOCABULARY, OPTIMIZATION);
        network.fit(Comparisons.tokens(VOCABULARY, 6, 8, 7));
        var saved = new ByteArrayOutputStream();
        ModelSerializer.writeModel(network, saved, true);
        // A restored checkpoint comes with DL4J's updater and Adam's moments; installing keeps both.
        var restored = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(saved.toByteArray()), true);
        var state = restored.getUpdater().getStateViewArray().dup();
        assertThat(restored.getUpdater()).isNotInstanceOf(ViewUpdater.class);
        assertThat(exactly(state)).isEqualTo(exactly(network.getUpdater().getStateViewArray()));
        ViewUpdater.install(restored);
        var installed = restored.getUpdater();
        assertThat(installed).isInstanceOf(ViewUpdater.class);
        assertThat(exactly(installed.getStateViewArray())).isEqualTo(exactly(state));
        ViewUpdater.install(restored);
        assertThat(restored.getUpdater()).isSameAs(installed);
        var data = Comparisons.tokens(VOCABULARY, 6, 8, 8);
        network.fit(data);
        restored.fit(data);
        assertThat(exactly(restored.params())).isEqualTo(exactly(network.params()));
    }

    @Test
    void sameMemoryIsTheSameFloatsNotJustTheSameBuffer() {
        var flat = Nd4j.create(DataType.FLOAT, new long[] {1, 10}, 'f');
        var whole = flat.reshape(10);
        assertThat(whole).isNotSameAs(flat);
        assertThat(ViewUpdater.sameMemory(whole, flat)).isTrue();
        assertThat(ViewUpdater.sameMemory(flat.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 9)), flat)).isFalse();
        assertThat(ViewUpdater.sameMemory(Nd4j.create(DataType.FLOAT, 1, 10), flat)).isFalse();
        assertThat(ViewUpdater.sameMemory(flat.castTo(DataType.DOUBLE), flat)).isFalse();
    }
}
