package dev.lmpipe.model.kernel;


import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class SigmoidTest {
    @Test
    void isWithinFourTenthsOfAMillionthOfTheExactOne() {
        var random = new Random(2);
        for (int k = 0; k < 1_000_000; k++) {
            float z = -40f + 80f * random.nextFloat();
            double expected = 1 / (1 + Math.exp(-z));
            assertThat(Math.abs(Sigmoid.of(z) - expected)).as("z = %s", z).isLessThan(4e-7);
        }
        assertThat(Sigmoid.of(0f)).isEqualTo(0.5f);
        assertThat(Sigmoid.of(-1000f)).isEqualTo(0f, org.assertj.core.api.Assertions.within(1e-7f));
        assertThat(Sigmoid.of(1000f)).isEqualTo(1f, org.assertj.core.api.Assertions.within(1e-7f));
        assertThat(Sigmoid.of(Float.NaN)).isNaN();
    }

    @Test
    void tanhIsWithinEightTenthsOfAMillionthOfTheExactOne() {
        var random = new Random(4);
        for (int k = 0; k < 1_000_000; k++) {
            float z = -20f + 40f * random.nextFloat();
            assertThat(Math.abs(Sigmoid.tanh(z) - Math.tanh(z))).as("z = %s", z).isLessThan(8e-7);
        }
        assertThat(Sigmoid.tanh(0f)).isEqualTo(0f);
        assertThat(Sigmoid.tanh(-1000f)).isEqualTo(-1f, org.assertj.core.api.Assertions.within(8e-7f));
        assertThat(Sigmoid.tanh(1000f)).isEqualTo(1f, org.assertj.core.api.Assertions.within(8e-7f));
        assertThat(Sigmoid.tanh(Float.NaN)).isNaN();
    }

    @Test
    void geluAndItsDerivativeMatchTheExactFormulas() {
        var random = new Random(3);
        int n = 1000;
        float[] values = new float[n];
        float[] inputs = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = inputs[i] = (float) (4 * random.nextGaussian());
        }
        float[] slopes = new float[n];
        Sigmoid.gelu(values, slopes, n);
        for (int i = 0; i < n; i++) {
            double x = inputs[i];
            double s = 1 / (1 + Math.exp(-1.702 * x));
            // The sigmoid's 7e-7 times |x| (up to about 16 here), plus float rounding.
            assertThat((double) values[i]).isCloseTo(x * s, org.assertj.core.api.Assertions.within(1e-5));
            if (Math.abs(x) > 1e-2) {
                // gelu(x) / x is the sigmoid itself, within its stated error and the division's rounding.
                assertThat(values[i] / x).as("x = %s", x).isCloseTo(s, org.assertj.core.api.Assertions.within(8e-7));
            }
            assertThat((double) slopes[i]).isCloseTo(s + 1.702 * x * s * (1 - s),
                    org.assertj.core.api.Assertions.within(1e-5));
        }
    }
}
