package dev.lmpipe.generate;

import dev.lmpipe.model.LstmSpec;
import dev.lmpipe.model.Optimization;
import dev.lmpipe.model.TransformerSpec;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** TransformerWindow against DL4J's forward pass (SameDiff) of the same GPT over the padded window. */
class TransformerWindowTest {
    private static final int VOCABULARY = 11;
    private static final int BLOCK = 8;

    /** Random parameters, norms and biases included, so that nothing is an identity by accident. */
    private static MultiLayerNetwork gpt(double dropout) {
        var network = new TransformerSpec(16, 2, 4, BLOCK, dropout).build(VOCABULARY, new Optimization(1e-3, 1.0, BLOCK, BLOCK, 3));
        network.setParams(Nd4j.rand(network.params().dataType(), network.params().shape()).subi(0.5).muli(1.5));
        return network;
    }

    private static float[] dl4j(MultiLayerNetwork network, int[] tokens) {
        float[] window = new float[BLOCK];
        for (int t = 0; t < tokens.length; t++) {
            window[t] = tokens[t];
        }
        var output = network.output(Nd4j.create(window, new long[] {1, 1, BLOCK}, 'c'), false);
        return output.get(NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.point(tokens.length - 1)).dup().toFloatVector();
    }

    @Test
    void givesDl4jsDistributionForEveryLengthUpToTheBlock() {
        for (double dropout : new double[] {0.0, 0.2}) {
            var network = gpt(dropout);
            var window = TransformerWindow.of(network).orElseThrow();
            var random = new Random(9);
            for (int length = 1; length <= BLOCK; length++) {
                int[] tokens = random.ints(length, 0, VOCABULARY).toArray();
                float[] expected = dl4j(network, tokens);
                float[] actual = window.distributionAfter(tokens);
                assertThat(actual).hasSize(VOCABULARY);
                for (int v = 0; v < VOCABULARY; v++) {
                    assertThat(actual[v]).as("dropout %s, length %d, token %d", dropout, length, v)
                            .isCloseTo(expected[v], within(2e-5f));
                }
            }
        }
    }

    @Test
    void takesOnlyTransformers() {
        var lstm = new LstmSpec(4, 8, 1, 0.0).build(VOCABULARY, new Optimization(1e-3, 1.0, BLOCK, BLOCK, 3));

        assertThat(TransformerWindow.of(lstm)).isEmpty();
        assertThat(TransformerWindow.of(gpt(0.0))).isPresent();
    }
}
