package dev.lmpipe.model;

import dev.lmpipe.data.Minibatches;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A long-range dependency that no model with a context shorter than the string can capture: a random string
 * of {@value #LENGTH} characters, a separator, the same string again. On held-out strings the transformer's
 * loss on the copied half ends near zero; the MLP, which sees only {@value #CONTEXT} characters, stays near
 * the uniform guess.
 */
class CopyTaskTest {
    private static final int LENGTH = 10;
    private static final int CONTEXT = 4;
    private static final int SEPARATOR = 10;
    private static final int VOCABULARY = 11;
    /** Inputs: the string, the separator, the copy but its last character; labels shifted by one. */
    private static final int WINDOW = 2 * LENGTH;

    private static int[][] batch(Random random, int size) {
        int[][] windows = new int[size][WINDOW + 1];
        for (int[] window : windows) {
            for (int i = 0; i < LENGTH; i++) {
                window[i] = 1 + random.nextInt(VOCABULARY - 2);
                window[LENGTH + 1 + i] = window[i];
            }
            window[LENGTH] = SEPARATOR;
        }
        return windows;
    }

    /** Mean loss in nats over the copied half: predictions at positions LENGTH..WINDOW-1. */
    private static double copiedHalfLoss(MultiLayerNetwork network, int[][] windows) {
        var batch = Minibatches.fromWindows(windows);
        float[] p = network.output(batch.getFeatures(), false).dup('c').data().asFloat();
        double loss = 0;
        int count = 0;
        for (int b = 0; b < windows.length; b++) {
            for (int t = LENGTH; t < WINDOW; t++) {
                loss -= Math.log(Math.max(p[(b * VOCABULARY + windows[b][t + 1]) * WINDOW + t], 1e-30));
                count++;
            }
        }
        return loss / count;
    }

    private static double trainAndMeasure(ModelSpec spec, int steps, double learningRate) {
        Nd4j.getRandom().setSeed(1);
        var network = spec.build(VOCABULARY, new Optimization(learningRate, 1.0, WINDOW, WINDOW, 1));
        var random = new Random(2);
        for (int step = 0; step < steps; step++) {
            network.fit(Minibatches.fromWindows(batch(random, 16)));
        }
        return copiedHalfLoss(network, batch(new Random(99), 64));
    }

    @Test
    void transformerCopiesWhatTheMlpCannotSee() {
        double uniform = Math.log(VOCABULARY - 2);
        double transformer = trainAndMeasure(new TransformerSpec(32, 2, 4, WINDOW, 0.0), 500, 2e-3);
        double mlp = trainAndMeasure(new MlpSpec(16, CONTEXT, 64, 0.0, WINDOW), 500, 2e-3);
        System.out.printf("copy task, copied half on held-out strings: transformer %.4f, mlp %.4f, uniform %.4f nats%n",
                transformer, mlp, uniform);
        // Near zero for the transformer (a copy is deterministic); the MLP cannot beat guessing among the nine
        // letters by much, since the character to copy lies ten positions back, beyond its context of four.
        assertThat(transformer).isLessThan(0.1);
        assertThat(mlp).isGreaterThan(uniform - 0.3);
    }
}
