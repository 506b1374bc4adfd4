package dev.lmpipe.model;

import dev.lmpipe.model.kernel.Kernels;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** What the tests of the fast layers share: random token minibatches and comparisons with a reference. */
public final class Comparisons {
    private Comparisons() {
    }

    /** Features and labels [minibatch, 1, steps] of uniformly random token ids below {@code vocabulary}, seeded. */
    public static DataSet tokens(int vocabulary, int minibatch, int steps, long seed) {
        var random = new Random(seed);
        var features = Nd4j.create(DataType.FLOAT, minibatch, 1, steps);
        var labels = Nd4j.create(DataType.FLOAT, minibatch, 1, steps);
        for (int b = 0; b < minibatch; b++) {
            for (int t = 0; t < steps; t++) {
                features.putScalar(new int[] {b, 0, t}, random.nextInt(vocabulary));
                labels.putScalar(new int[] {b, 0, t}, random.nextInt(vocabulary));
            }
        }
        return new DataSet(features, labels);
    }

    /**
     * Computes score and gradients of both networks on {@code data} and asserts that {@code other}'s score is
     * within {@code scoreTolerance} (relative) of {@code reference}'s and that every parameter's gradient, by name,
     * is within {@code gradientTolerance} ({@link #maxRelativeDifference}).
     */
    public static void assertSameScoreAndGradients(MultiLayerNetwork reference, MultiLayerNetwork other, DataSet data,
                                            double scoreTolerance, double gradientTolerance) {
        for (var network : new MultiLayerNetwork[] {reference, other}) {
            network.setInput(data.getFeatures());
            network.setLabels(data.getLabels());
            network.computeGradientAndScore();
        }
        assertThat(other.score()).isCloseTo(reference.score(), within(scoreTolerance * reference.score()));
        var expected = reference.gradient().gradientForVariable();
        var actual = other.gradient().gradientForVariable();
        assertThat(actual.keySet()).isEqualTo(expected.keySet());
        for (var key : expected.keySet()) {
            assertThat(maxRelativeDifference(expected.get(key), actual.get(key))).as(key).isLessThan(gradientTolerance);
        }
    }

    /**
     * The array's values in row-major order, for comparisons bit for bit: {@code INDArray.equals} allows differences of
     * 1e-5.
     */
    public static float[] exactly(INDArray array) {
        return array.dup('c').data().asFloat();
    }

    /** The largest absolute difference, relative to the largest expected value (at least 1e-3). */
    public static double maxRelativeDifference(INDArray expected, INDArray actual) {
        double scale = Math.max(expected.amaxNumber().doubleValue(), 1e-3);
        return expected.sub(actual).amaxNumber().doubleValue() / scale;
    }

    /**
     * With {@code lmpipe.kernels = dl4j}, the fast network is its reference, as on a GPU: output, score and every
     * gradient equal bit for bit (every float value equal). With {@code fastDiffers}, the fast path, which computes in
     * another order, must give some other value: that shows the switch chose the code that ran.
     */
    public static void assertDl4jKernelsRunTheReference(MultiLayerNetwork reference, MultiLayerNetwork fast, DataSet data,
                                                        boolean fastDiffers) {
        String before = System.getProperty(Kernels.PROPERTY);
        try {
            System.setProperty(Kernels.PROPERTY, Kernels.dl4j.name());
            assertThat(values(fast, data)).as("DL4J's path").isEqualTo(values(reference, data));
            if (fastDiffers) {
                System.setProperty(Kernels.PROPERTY, Kernels.fast.name());
                assertThat(values(fast, data)).as("the fast path").isNotEqualTo(values(reference, data));
            }
        } finally {
            if (before == null) {
                System.clearProperty(Kernels.PROPERTY);
            } else {
                System.setProperty(Kernels.PROPERTY, before);
            }
        }
    }

    /** The network's output, score and gradients by name, as exact values. */
    private static java.util.Map<String, java.util.List<Float>> values(MultiLayerNetwork network, DataSet data) {
        var values = new java.util.TreeMap<String, java.util.List<Float>>();
        values.put(" output", floats(network.output(data.getFeatures())));
        network.setInput(data.getFeatures());
        network.setLabels(data.getLabels());
        network.computeGradientAndScore();
        values.put(" score", java.util.List.of((float) network.score()));
        network.gradient().gradientForVariable().forEach((name, gradient) -> values.put(name, floats(gradient)));
        return values;
    }

    private static java.util.List<Float> floats(INDArray array) {
        var list = new java.util.ArrayList<Float>();
        for (float f : array.dup().data().asFloat()) {
            list.add(f);
        }
        return list;
    }
}
