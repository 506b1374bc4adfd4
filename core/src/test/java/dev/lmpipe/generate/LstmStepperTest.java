package dev.lmpipe.generate;

import dev.lmpipe.model.LstmSpec;
import dev.lmpipe.model.MlpSpec;
import dev.lmpipe.model.Optimization;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** LstmStepper against DL4J's own stepping (RecurrentModel) of the same network. */
class LstmStepperTest {
    private static final int VOCABULARY = 9;

    /** A two-layer LSTM whose parameters are random, not initial: biases and all, nothing is zero. */
    private static MultiLayerNetwork network() {
        var network = new LstmSpec(6, 10, 2, 0.0).build(VOCABULARY, new Optimization(0.01, 1.0, 8, 8, 3));
        network.setParams(Nd4j.rand(network.params().dataType(), network.params().shape()).subi(0.5).muli(2));
        return network;
    }

    @Test
    void givesDl4jsDistributionsFromThePromptOnAndBranches() {
        var network = network();
        var stepper = LstmStepper.of(network).orElseThrow();
        var reference = new RecurrentModel(network);
        int[] prompt = {1, 4, 4, 0, 8};
        var random = new Random(5);

        var fast = stepper.start(prompt);
        var slow = reference.start(prompt);
        var branchPoint = fast;
        for (int step = 0; step < 20; step++) {
            assertSame(slow.next(), fast.next());
            int token = random.nextInt(VOCABULARY);
            fast = stepper.advance(fast, token);
            slow = reference.advance(slow, token);
        }
        // A state stays usable after others were derived from it, as beam search needs.
        assertSame(reference.advance(reference.start(prompt), 2).next(), stepper.advance(branchPoint, 2).next());
    }

    private static void assertSame(float[] expected, float[] actual) {
        assertThat(actual).hasSize(expected.length);
        for (int v = 0; v < expected.length; v++) {
            assertThat(actual[v]).as("token %d", v).isCloseTo(expected[v], within(1e-5f));
        }
    }

    @Test
    void takesOnlyEmbeddingLstmSoftmaxNetworks() {
        assertThat(LstmStepper.of(network())).isPresent();
        var mlp = new MlpSpec(4, 6, 12, 0.0, 8).build(VOCABULARY, new Optimization(0.01, 1.0, 8, 8, 3));

        assertThat(LstmStepper.of(mlp)).isEmpty();
    }
}
