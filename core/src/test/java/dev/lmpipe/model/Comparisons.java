package dev.lmpipe.model;

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

    /** The largest absolute difference, relative to the largest expected value (at least 1e-3). */
    public static double maxRelativeDifference(INDArray expected, INDArray actual) {
        double scale = Math.max(expected.amaxNumber().doubleValue(), 1e-3);
        return expected.sub(actual).amaxNumber().doubleValue() / scale;
    }
}
