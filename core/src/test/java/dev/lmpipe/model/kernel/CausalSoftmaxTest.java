package dev.lmpipe.model.kernel;


import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * CausalSoftmax against double-precision arithmetic: its exponential, the masked rows, the transposed softmax against
 * the rows' and its backward pass.
 */
class CausalSoftmaxTest {
    @Test
    void expIsWithinItsStatedErrorOfMathExpForEveryNonPositiveArgument() {
        double worstAbsolute = 0;
        double worstRelativeNearZero = 0;
        for (int i = 0; i <= 4_000_000; i++) {
            float x = -40f * i / 4_000_000;
            double exact = Math.exp(x);
            double error = Math.abs(CausalSoftmax.exp(x) - exact);
            worstAbsolute = Math.max(worstAbsolute, error);
            if (x >= -10) {
                worstRelativeNearZero = Math.max(worstRelativeNearZero, error / exact);
            }
        }
        assertThat(worstAbsolute).isLessThan(2e-6);
        assertThat(worstRelativeNearZero).isLessThan(4e-6);
        assertThat(CausalSoftmax.exp(0f)).isEqualTo(1f);
        assertThat(CausalSoftmax.exp(-1000f)).isBetween(0f, 1e-13f);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 7, 64})
    void forwardIsTheSoftmaxOfEachRowUpToTheDiagonal(int steps) {
        var random = new Random(steps);
        int at = 5;
        float[] scores = new float[at + steps * steps + 3];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = (float) (random.nextGaussian() * 4);
        }
        float[] before = scores.clone();
        CausalSoftmax.forward(scores, at, steps);
        for (int i = 0; i < steps; i++) {
            int row = at + i * steps;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j <= i; j++) {
                max = Math.max(max, before[row + j]);
            }
            double sum = 0;
            for (int j = 0; j <= i; j++) {
                sum += Math.exp(before[row + j] - max);
            }
            for (int j = 0; j < steps; j++) {
                double expected = j <= i ? Math.exp(before[row + j] - max) / sum : 0;
                assertThat((double) scores[row + j]).as("row %d, column %d", i, j).isCloseTo(expected,
                        within(3e-6));
            }
        }
        // Outside the matrix nothing moves.
        assertThat(Arrays.copyOfRange(scores, 0, at)).containsExactly(Arrays.copyOfRange(before, 0, at));
        assertThat(scores[scores.length - 1]).isEqualTo(before[before.length - 1]);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 7, 64})
    void transposedForwardIsTheRowSoftmaxOfTheTransposedScores(int steps) {
        var random = new Random(20 + steps);
        float[] scores = new float[steps * steps];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = (float) (random.nextGaussian() * 4);
        }
        float[] rows = scores.clone();
        CausalSoftmax.forward(rows, 0, steps);
        float[] transposed = unattendedLarger(transpose(scores, steps), steps);
        var softmax = new CausalSoftmax.Transposed(steps);
        softmax.forward(transposed);
        for (int i = 0; i < steps; i++) {
            for (int j = 0; j < steps; j++) {
                assertThat(transposed[j * steps + i]).as("query %d, key %d", i, j)
                        .isCloseTo(rows[i * steps + j], within(1e-6f));
            }
        }
        // Again on the same scores: the same result, nothing of the last call left in its buffers.
        float[] again = unattendedLarger(transpose(scores, steps), steps);
        softmax.forward(again);
        assertThat(again).containsExactly(transposed);
    }

    /** Key j's scores for the queries before it, which do not attend it, set larger than any attended score. */
    private static float[] unattendedLarger(float[] transposed, int steps) {
        for (int j = 1; j < steps; j++) {
            for (int i = 0; i < j; i++) {
                transposed[j * steps + i] = 100f;
            }
        }
        return transposed;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 5, 64})
    void transposedBackwardIsTheSoftmaxJacobianTimesTheGradient(int steps) {
        var random = new Random(10 + steps);
        float[] probabilities = new float[steps * steps];
        for (int i = 0; i < probabilities.length; i++) {
            probabilities[i] = (float) random.nextGaussian();
        }
        var softmax = new CausalSoftmax.Transposed(steps);
        softmax.forward(probabilities);
        float[] gradient = new float[steps * steps];
        for (int i = 0; i < gradient.length; i++) {
            gradient[i] = (float) random.nextGaussian();
        }
        float[] result = gradient.clone();
        softmax.backward(result, probabilities);
        for (int i = 0; i < steps; i++) {
            for (int k = 0; k < steps; k++) {
                // dL/dS[i,k] = Σ_j dL/dP[i,j] · P[i,j] · (δjk − P[i,k]) over the attended keys j, at [key, query].
                double expected = 0;
                for (int j = 0; j <= i && k <= i; j++) {
                    double p = probabilities[j * steps + i];
                    expected += gradient[j * steps + i] * p * ((j == k ? 1 : 0) - probabilities[k * steps + i]);
                }
                assertThat((double) result[k * steps + i]).as("query %d, key %d", i, k)
                        .isCloseTo(expected, within(1e-5));
            }
        }
    }

    private static float[] transpose(float[] matrix, int steps) {
        float[] transposed = new float[matrix.length];
        for (int i = 0; i < steps; i++) {
            for (int j = 0; j < steps; j++) {
                transposed[j * steps + i] = matrix[i * steps + j];
            }
        }
        return transposed;
    }
}
