package dev.lmpipe.model;

import dev.lmpipe.LmpipeException;
import dev.lmpipe.config.ConfigLoader;
import dev.lmpipe.train.TrainConfig;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.List;

import static dev.lmpipe.model.Comparisons.exactly;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The transformer as lmpipe builds it from its specification (layers themselves: TransformerLayersTest). */
class TransformerSpecTest {
    private static final int VOCABULARY = 10;
    private static final TransformerSpec SPEC = new TransformerSpec(16, 2, 4, 12, 0.1);
    private static final Optimization OPTIMIZATION = new Optimization(1e-3, 1.0, 12, 12, 3);

    private static INDArray window(float... ids) {
        return Nd4j.create(ids, new long[]{1, 1, ids.length}, 'c');
    }

    @Test
    void builtNetworkIsCausalWithDropoutWhereNanoGptHasIt() {
        var network = SPEC.build(VOCABULARY, OPTIMIZATION);
        // A layer after the embeddings' sum; inside each block, its attention and residual branches.
        assertThat(network.getLayerWiseConfigurations().getConfs())
                .filteredOn(c -> c.getLayer() instanceof DropoutLayer).hasSize(1)
                .allSatisfy(c -> assertThat(c.getLayer().getIDropout()).isEqualTo(new SequenceDropout(SPEC.dropout())));
        assertThat(network.getLayerWiseConfigurations().getConfs())
                .filteredOn(c -> c.getLayer() instanceof TransformerBlock)
                .allSatisfy(c -> assertThat(((TransformerBlock) c.getLayer()).getDropout()).isEqualTo(SPEC.dropout()))
                .hasSize(SPEC.layers());
        float[] a = {1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 2, 3};
        float[] b = a.clone();
        b[6] = 0;
        INDArray outA = network.output(window(a), false);
        INDArray outB = network.output(window(b), false);
        for (int t = 0; t < 6; t++) {
            assertThat(column(outB, t)).as("position %d", t).isEqualTo(column(outA, t));
        }
        assertThat(column(outB, 6)).isNotEqualTo(column(outA, 6));
    }

    @Test
    void serializedNetworkPredictsTheSame() throws Exception {
        var network = SPEC.build(VOCABULARY, OPTIMIZATION);
        var bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(network, bytes, true);
        var restored = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(bytes.toByteArray()), true);
        INDArray input = window(3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8);
        assertThat(exactly(restored.output(input, false))).isEqualTo(exactly(network.output(input, false)));
    }

    @Test
    void trainingWindowMustEqualTheBlock() {
        assertThatThrownBy(() -> ConfigLoader.load(TrainConfig.class, TrainConfig.DEFAULTS, null,
                List.of("model.kind=transformer", "model.block=32", "seqLen=64", "model.embedding=32")))
                .isInstanceOf(LmpipeException.class).hasMessageContaining("seqLen = 32");
        assertThatThrownBy(() -> new TransformerSpec(30, 1, 4, 8, 0)).isInstanceOf(LmpipeException.class)
                .hasMessageContaining("multiple of model.heads");
        assertThat(SPEC.window()).hasValue(12);
    }

    @Test
    void dropoutTrainsOnLmpipesKernelsOnlyAndSaysSoBeforeARun() {
        SPEC.checkTrainable();
        String property = dev.lmpipe.model.kernel.Kernels.PROPERTY;
        System.setProperty(property, "dl4j");
        try {
            assertThatThrownBy(SPEC::checkTrainable).isInstanceOf(LmpipeException.class)
                    .hasMessageContaining("model.dropout").hasMessageContaining("model.dropout = 0");
            new TransformerSpec(16, 2, 4, 12, 0).checkTrainable();
        } finally {
            System.clearProperty(property);
        }
    }

    private static float[] column(INDArray output, int t) {
        return output.get(NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.point(t)).toFloatVector();
    }
}
