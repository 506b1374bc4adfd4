package dev.lmpipe.model;

import dev.lmpipe.data.Minibatches;
import dev.lmpipe.generate.Generator;
import dev.lmpipe.text.Vocabulary;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;

class MlpTest {
    private static final int VOCABULARY = 6;

    private static MlpSpec spec() {
        return new MlpSpec(8, 3, 32, 0.0, 16);
    }

    @Test
    void outputAtAPositionDependsOnlyOnTheLastContextCharacters() {
        var network = spec().build(VOCABULARY, new Optimization(0.01, 1.0, 16, 16, 5));
        float[] a = new float[16];
        for (int i = 0; i < a.length; i++) {
            a[i] = i % VOCABULARY;
        }
        float[] b = a.clone();
        b[5] = (b[5] + 1) % VOCABULARY;
        INDArray outA = network.output(Nd4j.create(a, new long[]{1, 1, 16}, 'c'));
        INDArray outB = network.output(Nd4j.create(b, new long[]{1, 1, 16}, 'c'));
        for (int t = 0; t < 16; t++) {
            boolean same = outA.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0), org.nd4j.linalg.indexing.NDArrayIndex.all(),
                    org.nd4j.linalg.indexing.NDArrayIndex.point(t)).equals(outB.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                    org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(t)));
            // Position t sees characters t-2..t (context 3): only t = 5, 6, 7 may change.
            assertThat(same).as("position %d", t).isEqualTo(t < 5 || t > 7);
        }
    }

    @Test
    void learnsASecondOrderPatternThatAUnigramCannot() {
        // "0 1 2 0 1 3" repeated: after "0 1" comes 2 or 3 depending on the character before the 0.
        int[] pattern = {0, 1, 2, 0, 1, 3};
        int[][] windows = new int[8][17];
        for (int b = 0; b < windows.length; b++) {
            for (int t = 0; t < 17; t++) {
                windows[b][t] = pattern[(b + t) % pattern.length];
            }
        }
        var batch = Minibatches.fromWindows(windows);
        var network = spec().build(VOCABULARY, new Optimization(0.01, 1.0, 16, 16, 5));
        for (int i = 0; i < 150; i++) {
            network.fit(batch);
        }
        // Every position with at least 3 characters of context is deterministic; score is summed over 16
        // positions, so a mean loss under 0.1 nats per character means the pattern was learned.
        assertThat(network.score() / 16).isLessThan(0.1);
        var generator = new Generator(network, new Vocabulary(new int[]{'a', 'b', 'c', 'd', 'e'}), OptionalInt.of(16));
        // "2 0 1" is followed by 3 in the pattern; "3 0 1" by 2. The window is padded on the right.
        assertThat(generator.distributionAfter(new int[]{1, 2, 0, 1})[3]).isGreaterThan(0.9f);
        assertThat(generator.distributionAfter(new int[]{3, 0, 1})[2]).isGreaterThan(0.9f);
    }
}
