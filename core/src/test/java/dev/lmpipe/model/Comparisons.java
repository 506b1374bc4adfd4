package dev.lmpipe.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

/** What the tests of the written-out layers share: random token minibatches and a relative difference. */
final class Comparisons {
    private Comparisons() {
    }

    /** Features and labels [minibatch, 1, steps] of uniformly random token ids below {@code vocabulary}, seeded. */
    static DataSet tokens(int vocabulary, int minibatch, int steps, long seed) {
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

    /** The largest absolute difference, relative to the largest expected value (at least 1e-3). */
    static double maxRelativeDifference(INDArray expected, INDArray actual) {
        double scale = Math.max(expected.amaxNumber().doubleValue(), 1e-3);
        return expected.sub(actual).amaxNumber().doubleValue() / scale;
    }
}
