package dev.lmpipe.model;

import dev.lmpipe.model.kernel.HostMemory;
import dev.lmpipe.model.kernel.Kernels;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The GPT's dropout after the embeddings' sum: inverted dropout with the probability asked for, the same masks
 * whatever the input's layout and however many threads share the minibatch, a backward pass through the same mask,
 * DL4J's dropout where lmpipe's kernels do not run, and a configuration that checkpoints restore.
 */
class SequenceDropoutTest {
    private static final int EXAMPLES = 6;
    private static final int WIDTH = 16;
    private static final int STEPS = 64;
    private static final float PROBABILITY = 0.2f;
    private static final float KEEP = 1 / (1 - PROBABILITY);

    @Test
    void dropsAboutTheProbabilityScalesTheRestAndHandsOnRows() {
        INDArray input = random(1);
        INDArray output = apply(new SequenceDropout(PROBABILITY), input, 7);
        assertThat(HostMemory.rowsView(output)).as("a view of rows [B, T, d]").isNotNull();
        int dropped = 0;
        for (int b = 0; b < EXAMPLES; b++) {
            for (int d = 0; d < WIDTH; d++) {
                for (int t = 0; t < STEPS; t++) {
                    float in = input.getFloat(b, d, t);
                    float out = output.getFloat(b, d, t);
                    assertThat(out == 0 || out == in * KEEP).as("%s from %s", out, in).isTrue();
                    dropped += out == 0 ? 1 : 0;
                }
            }
        }
        // 1,229 expected of 6,144; the binomial's standard deviation is about 31.
        assertThat(dropped).isBetween(1_100, 1_360);
    }

    @Test
    void theMasksDoNotDependOnTheInputsLayout() {
        INDArray input = random(2);
        INDArray rows = input.permute(0, 2, 1).dup('c').permute(0, 2, 1);
        assertThat(HostMemory.rowsView(rows)).isNotNull();
        INDArray fromNcw = apply(new SequenceDropout(PROBABILITY), input, 3).dup();
        INDArray fromRows = apply(new SequenceDropout(PROBABILITY), rows, 3).dup();
        assertThat(fromRows).isEqualTo(fromNcw);
        assertThat(apply(new SequenceDropout(PROBABILITY), input, 4)).as("another seed").isNotEqualTo(fromNcw);
    }

    @Test
    void slicesOnThreadsGiveTheOutputAndGradientOfOneThreadBitForBit() {
        int examples = 12;   // three slices on three threads (MinibatchParts: at least 4 examples a slice)
        INDArray input = random(12, examples);
        INDArray rows = input.permute(0, 2, 1).dup('c').permute(0, 2, 1);
        INDArray gradient = random(13, examples);
        for (INDArray in : new INDArray[] {input, rows}) {
            var one = new SequenceDropout(PROBABILITY);
            var three = new SequenceDropout(PROBABILITY);
            three.setThreads(3);
            assertThat(apply(three, in, 14).dup()).isEqualTo(apply(one, in, 14).dup());
            INDArray fromOne = one.backprop(gradient.dup(), gradient.dup(), 0, 0);
            INDArray fromThree = three.backprop(gradient.dup(), gradient.dup(), 0, 0);
            assertThat(fromThree).isEqualTo(fromOne);
            assertThat(fromOne).as("something dropped").isNotEqualTo(gradient.mul(KEEP));
        }
    }

    @Test
    void networksUseThreadsReachesTheGptsDropout() {
        var network = new TransformerSpec(16, 1, 2, 8, 0.1).build(20, new Optimization(0.01, 1.0, 8, 8, 42));
        Networks.useThreads(network, 2);
        MultiLayerConfiguration conf = network.getLayerWiseConfigurations();
        assertThat(sequenceDropouts(conf)).singleElement().extracting(SequenceDropout::getThreads).isEqualTo(2);
        assertThat(sequenceDropouts(MultiLayerConfiguration.fromJson(conf.toJson()))).as("from JSON")
                .singleElement().extracting(SequenceDropout::getThreads).isEqualTo(2);
    }

    private static List<SequenceDropout> sequenceDropouts(MultiLayerConfiguration conf) {
        return conf.getConfs().stream().map(c -> c.getLayer().getIDropout())
                .filter(SequenceDropout.class::isInstance).map(SequenceDropout.class::cast).toList();
    }

    @Test
    void theBackwardPassAppliesTheForwardPasssMask() {
        INDArray input = random(5).addi(1);   // no zeros: the mask is output / input
        INDArray gradient = random(6);
        for (boolean sameArray : new boolean[] {true, false}) {
            var dropout = new SequenceDropout(PROBABILITY);
            INDArray output = apply(dropout, input, 8).dup();
            INDArray gradAtOutput = gradient.dup();
            INDArray gradAtInput = sameArray ? gradAtOutput
                    : Nd4j.create(DataType.FLOAT, EXAMPLES, STEPS, WIDTH).permute(0, 2, 1);
            INDArray result = dropout.backprop(gradAtOutput, gradAtInput, 0, 0);
            assertThat(result).isSameAs(gradAtInput);
            INDArray expected = gradient.mul(output.div(input));
            // output / input recovers each mask value (0 or 1.25) to within a float's rounding of it, about 1e-7;
            // the gradient is below 0.5.
            assertThat(result.sub(expected).amaxNumber().floatValue()).as("same array: %s", sameArray)
                    .isLessThan(1e-6f);
        }
    }

    @Test
    void whereTheKernelsDoNotRunItIsDl4jsDropout() {
        System.setProperty(Kernels.PROPERTY, "dl4j");
        try {
            INDArray input = random(9).addi(1);
            var dropout = new SequenceDropout(PROBABILITY);
            INDArray output = apply(dropout, input, 10).dup();
            assertThat(HostMemory.rowsView(output)).as("DL4J's layout, not rows").isNull();
            INDArray kept = output.div(input);
            // DL4J computes the scale 1 / 0.8 its own way: equal to KEEP to within a float's rounding (1e-7), and
            // output / input adds as much again.
            for (float factor : kept.reshape(-1).toFloatVector()) {
                assertThat(factor).isCloseTo(factor == 0 ? 0 : KEEP, org.assertj.core.data.Offset.offset(1e-5f));
            }
            INDArray gradient = random(11);
            INDArray result = dropout.backprop(gradient.dup(), gradient.dup(), 0, 0);
            assertThat(result.sub(gradient.mul(kept)).amaxNumber().floatValue()).isLessThan(1e-5f);
        } finally {
            System.clearProperty(Kernels.PROPERTY);
        }
    }

    @Test
    void aConfigurationWithItRestoresFromJson() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().list()
                .layer(new DropoutLayer.Builder(new SequenceDropout(0.1)).build())
                .build();
        var restored = MultiLayerConfiguration.fromJson(conf.toJson());
        assertThat(restored.getConf(0).getLayer().getIDropout()).isEqualTo(new SequenceDropout(0.1));
        assertThat(restored).isEqualTo(conf);
    }

    /** A training pass's output, ND4J's generator seeded first (it draws the pass's seed). */
    private static INDArray apply(SequenceDropout dropout, INDArray input, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray result = Nd4j.create(DataType.FLOAT, input.shape());
        return dropout.applyDropout(input, result, 0, 0, LayerWorkspaceMgr.noWorkspaces());
    }

    /** [B, d, T] in 'c' order (not a view of rows), U(-0.5, 0.5). */
    private static INDArray random(long seed) {
        return random(seed, EXAMPLES);
    }

    private static INDArray random(long seed, int examples) {
        var random = new Random(seed);
        float[] values = new float[examples * WIDTH * STEPS];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextFloat() - 0.5f;
        }
        return Nd4j.createFromArray(values).reshape('c', examples, WIDTH, STEPS);
    }
}
