package dev.lmpipe.generate;

import dev.lmpipe.LmpipeException;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class FilteredSamplingTest {
    private static final float[] P = {0.05f, 0.4f, 0.1f, 0.25f, 0.2f};

    @Test
    void topKNeverReturnsATokenOutsideTheKMostLikely() {
        var sampler = new Sampler(new Sampling(1.5, 2, 1.0), 3);
        for (int i = 0; i < 20_000; i++) {
            assertThat(sampler.next(P)).isIn(1, 3);
        }
        // Also on random distributions: the drawn token is always among the k largest.
        var random = new Random(4);
        for (int trial = 0; trial < 500; trial++) {
            float[] p = randomDistribution(random, 12);
            int drawn = new Sampler(new Sampling(1.0, 3, 1.0), trial).next(p);
            long larger = 0;
            for (float q : p) {
                if (q > p[drawn]) {
                    larger++;
                }
            }
            assertThat(larger).isLessThan(3);
        }
    }

    @Test
    void topPKeepsTheSmallestSetWhoseMassReachesP() {
        // Sorted: 0.4, 0.25, 0.2, 0.1, 0.05. p = 0.6 needs {0.4, 0.25} (0.65); p = 0.65 too; p = 0.66 needs three.
        assertThat(kept(new Sampling(1.0, 0, 0.6))).containsExactly(1, 3);
        assertThat(kept(new Sampling(1.0, 0, 0.65))).containsExactly(1, 3);
        assertThat(kept(new Sampling(1.0, 0, 0.66))).containsExactly(1, 3, 4);
        assertThat(kept(new Sampling(1.0, 0, 1.0))).containsExactly(0, 1, 2, 3, 4);
        double[] weights = Sampler.filtered(P, new Sampling(1.0, 0, 0.6));
        assertThat(weights[1]).isCloseTo(0.4 / 0.65, within(1e-6));
    }

    @Test
    void temperatureThenTopKThenTopP() {
        // Temperature 0.5 squares and renormalises: 0.4² and 0.25² dominate. Top-k 3 keeps {1, 3, 4}; among them
        // the squared masses are 0.16, 0.0625, 0.04 (sum 0.2625): top-p 0.8 needs 0.16 + 0.0625 = 0.85 of it.
        assertThat(kept(new Sampling(0.5, 3, 0.8))).containsExactly(1, 3);
        double[] weights = Sampler.filtered(P, new Sampling(0.5, 3, 0.8));
        assertThat(weights[1]).isCloseTo(0.16 / 0.2225, within(1e-6));
    }

    @Test
    void filteredDistributionsSumToOne() {
        var random = new Random(9);
        for (int trial = 0; trial < 200; trial++) {
            double[] w = Sampler.filtered(randomDistribution(random, 30),
                    new Sampling(0.2 + random.nextDouble() * 2, random.nextInt(10), 0.1 + random.nextDouble() * 0.9));
            assertThat(java.util.Arrays.stream(w).sum()).isCloseTo(1.0, within(1e-9));
        }
    }

    @Test
    void settingsOutOfRangeAreNamed() {
        assertThatThrownBy(() -> new Sampling(1, 0, 1.3)).isInstanceOf(LmpipeException.class)
                .hasMessage("topP must be within (0, 1], got 1.3");
        assertThatThrownBy(() -> new Sampling(1, -1, 1)).hasMessageContaining("topK");
        assertThatThrownBy(() -> new Sampling(-1, 0, 1)).hasMessageContaining("temperature");
    }

    @Test
    void labelsNameTheSettings() {
        assertThat(Sampling.GREEDY.label()).isEqualTo("greedy");
        assertThat(new Sampling(1.0, 10, 1.0).label()).isEqualTo("T=1 top-k=10");
        assertThat(new Sampling(0.5, 0, 0.9).label()).isEqualTo("T=0.5 top-p=0.9");
    }

    private static java.util.List<Integer> kept(Sampling sampling) {
        double[] w = Sampler.filtered(P, sampling);
        var kept = new java.util.ArrayList<Integer>();
        for (int i = 0; i < w.length; i++) {
            if (w[i] > 0) {
                kept.add(i);
            }
        }
        return kept;
    }

    private static float[] randomDistribution(Random random, int n) {
        float[] p = new float[n];
        float total = 0;
        for (int i = 0; i < n; i++) {
            p[i] = random.nextFloat();
            total += p[i];
        }
        for (int i = 0; i < n; i++) {
            p[i] /= total;
        }
        return p;
    }
}
