package dev.lmpipe.generate;

import dev.lmpipe.LmpipeException;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class SamplerTest {
    private static final float[] P = {0.5f, 0.3f, 0.15f, 0.05f};
    private static final int DRAWS = 200_000;
    /**
     * A frequency from 200,000 draws has a binomial standard deviation of at most sqrt(0.25 / 200,000) ≈ 0.0011,
     * so 0.005 is more than 4 standard deviations: a correct sampler fails it with probability below 1e-4 per
     * frequency (and never, as the seed is fixed), while a wrong temperature shifts frequencies by far more.
     */
    private static final double TOLERANCE = 0.005;

    private static double[] frequencies(Sampler sampler, float[] probabilities) {
        double[] counts = new double[probabilities.length];
        for (int i = 0; i < DRAWS; i++) {
            counts[sampler.next(probabilities)]++;
        }
        for (int i = 0; i < counts.length; i++) {
            counts[i] /= DRAWS;
        }
        return counts;
    }

    /** p_i^(1/T), renormalised: what the sampler promises to draw from. */
    private static double[] tempered(float[] p, double temperature) {
        double[] w = new double[p.length];
        double total = 0;
        for (int i = 0; i < p.length; i++) {
            w[i] = Math.pow(p[i], 1 / temperature);
            total += w[i];
        }
        for (int i = 0; i < p.length; i++) {
            w[i] /= total;
        }
        return w;
    }

    @Test
    void temperatureZeroAlwaysReturnsTheArgmax() {
        var sampler = new Sampler(0, 1);
        var random = new Random(3);
        for (int trial = 0; trial < 1_000; trial++) {
            float[] p = new float[17];
            for (int i = 0; i < p.length; i++) {
                p[i] = random.nextFloat();
            }
            int expected = 0;
            for (int i = 1; i < p.length; i++) {
                if (p[i] > p[expected]) {
                    expected = i;
                }
            }
            assertThat(sampler.next(p)).isEqualTo(expected);
        }
        assertThat(sampler.next(new float[]{0.1f, 0.4f, 0.4f, 0.1f})).as("ties go to the lowest id").isEqualTo(1);
    }

    @Test
    void temperatureOneMatchesTheDistribution() {
        double[] frequencies = frequencies(new Sampler(1.0, 12345), P);
        for (int i = 0; i < P.length; i++) {
            assertThat(frequencies[i]).as("token %d", i).isCloseTo(P[i], within(TOLERANCE));
        }
    }

    @Test
    void temperatureTwoFlattensToSquareRootsRenormalised() {
        double[] expected = tempered(P, 2.0); // ≈ {0.386, 0.299, 0.211, 0.122}
        double[] frequencies = frequencies(new Sampler(2.0, 777), P);
        for (int i = 0; i < P.length; i++) {
            assertThat(frequencies[i]).as("token %d", i).isCloseTo(expected[i], within(TOLERANCE));
        }
        // The rarest token is drawn more than twice as often as at temperature 1 (0.122 vs 0.05).
        assertThat(frequencies[3]).isGreaterThan(2 * P[3]);
        assertThat(frequencies[0]).isLessThan(P[0] - 0.1);
    }

    @Test
    void temperatureHalfSharpensToSquaresRenormalised() {
        double[] expected = tempered(P, 0.5); // ≈ {0.68, 0.245, 0.061, 0.007}
        double[] frequencies = frequencies(new Sampler(0.5, 99), P);
        for (int i = 0; i < P.length; i++) {
            assertThat(frequencies[i]).as("token %d", i).isCloseTo(expected[i], within(TOLERANCE));
        }
    }

    @Test
    void zeroProbabilityTokensAreNeverDrawn() {
        var sampler = new Sampler(1.5, 5);
        float[] p = {0f, 0.5f, 0f, 0.5f};
        for (int i = 0; i < 10_000; i++) {
            assertThat(sampler.next(p)).isIn(1, 3);
        }
    }

    @Test
    void sameSeedGivesTheSameSequence() {
        var a = new Sampler(1.0, 2024);
        var b = new Sampler(1.0, 2024);
        var c = new Sampler(1.0, 2025);
        int[] fromA = new int[500];
        int[] fromB = new int[500];
        int[] fromC = new int[500];
        for (int i = 0; i < 500; i++) {
            fromA[i] = a.next(P);
            fromB[i] = b.next(P);
            fromC[i] = c.next(P);
        }
        assertThat(fromA).containsExactly(fromB);
        assertThat(fromA).isNotEqualTo(fromC);
    }

    @Test
    void verySmallTemperatureEqualsGreedyInEveryDraw() {
        var sampler = new Sampler(1e-4, 8);
        var random = new Random(4);
        for (int trial = 0; trial < 10_000; trial++) {
            float[] p = new float[6];
            for (int i = 0; i < p.length; i++) {
                p[i] = 0.05f + random.nextFloat(); // no zeros
            }
            // Near-ties are legitimately sampled at any temperature (0.9 vs 0.89991 weighs e^-1 at T = 1e-4), so
            // the top is made 2% larger than the rest: every other weight is then below e^(-ln 1.02 / 1e-4) ≈ e^-198.
            int best = Sampler.argmax(p);
            p[best] *= 1.02f;
            assertThat(sampler.next(p)).isEqualTo(best);
        }
        for (int trial = 0; trial < 10_000; trial++) {
            assertThat(sampler.next(P)).isZero();
        }
    }

    @Test
    void negativeTemperatureIsRefused() {
        assertThatThrownBy(() -> new Sampler(-0.5, 1))
                .isInstanceOf(LmpipeException.class)
                .hasMessageContaining("temperature")
                .hasMessageContaining("-0.5");
    }
}
