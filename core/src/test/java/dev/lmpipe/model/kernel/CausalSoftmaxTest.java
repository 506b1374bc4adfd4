package dev.lmpipe.model.kernel;


import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** CausalSoftmax against double-precision arithmetic: its exponential, the masked rows, the backward pass. */
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
    @ValueSource(ints = {1, 5, 64})
    void backwardIsTheSoftmaxJacobianTimesTheGradient(int steps) {
        var random = new Random(10 + steps);
        float[] probabilities = new float[steps * steps];
        float[] scores = new float[steps * steps];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = (float) random.nextGaussian();
        }
        System.arraycopy(scores, 0, probabilities, 0, scores.length);
        CausalSoftmax.forward(probabilities, 0, steps);
        float[] gradient = new float[steps * steps];
        for (int i = 0; i < gradient.length; i++) {
            gradient[i] = (float) random.nextGaussian();
        }
        float[] result = gradient.clone();
        CausalSoftmax.backward(result, probabilities, 0, steps);
        for (int i = 0; i < steps; i++) {
            for (int k = 0; k < steps; k++) {
                // dL/dS[i,k] = Σ_j dL/dP[i,j] · P[i,j] · (δjk − P[i,k]) over the unmasked j.
                double expected = 0;
                for (int j = 0; j <= i && k <= i; j++) {
                    double p = probabilities[i * steps + j];
                    expected += gradient[i * steps + j] * p * ((j == k ? 1 : 0) - probabilities[i * steps + k]);
                }
                assertThat((double) result[i * steps + k]).as("row %d, column %d", i, k)
                        .isCloseTo(expected, within(1e-5));
            }
        }
    }
}
