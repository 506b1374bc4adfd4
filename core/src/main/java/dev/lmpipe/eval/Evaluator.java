package dev.lmpipe.eval;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Computes a model's loss on a sequence of token ids exactly: the sequence is cut into non-overlapping
 * windows of {@code seqLen} predictions (each window starts with fresh state), so that every token but the
 * first is predicted exactly once. The last, shorter window is padded on the right to {@code seqLen} (some
 * models read windows of one length only) and only its real positions count: in a causal model, padding
 * after a position cannot change the prediction there.
 */
public final class Evaluator {
    /** Probabilities below this are clamped before the logarithm, so one underflow cannot give infinity. */
    private static final double MIN_PROBABILITY = 1e-30;

    private Evaluator() {
    }

    public static void addLoss(MultiLayerNetwork network, int[] tokens, int seqLen, int batchSize, LossTotals totals) {
        long predictions = tokens.length - 1L;
        long fullWindows = predictions / seqLen;
        for (long first = 0; first < fullWindows; first += batchSize) {
            int windows = (int) Math.min(batchSize, fullWindows - first);
            addWindows(network, tokens, first * seqLen, windows, seqLen, seqLen, totals);
        }
        int rest = (int) (predictions - fullWindows * seqLen);
        if (rest > 0) {
            addWindows(network, tokens, fullWindows * seqLen, 1, seqLen, rest, totals);
        }
    }

    /** Evaluates {@code windows} windows of {@code steps} positions, each window {@code real} positions long. */
    private static void addWindows(MultiLayerNetwork network, int[] tokens, long start, int windows, int steps,
                                   int real, LossTotals totals) {
        float[] features = new float[windows * steps];
        for (int w = 0; w < windows; w++) {
            for (int t = 0; t < real; t++) {
                features[w * steps + t] = tokens[(int) (start + (long) w * steps + t)];
            }
        }
        // [windows, vocabulary, steps] softmax probabilities; inference mode, no dropout. Only the labels'
        // probabilities are read, in place: a copy of the whole output to the heap (11.7 MB for 128 windows of 64 over
        // 357 ids) is an allocation G1 treats as humongous, and grew the heap towards its limit over a long evaluation.
        // The arrays are freed here: their off-heap memory would otherwise wait for a garbage collection.
        try (INDArray input = Nd4j.create(features, new long[]{windows, 1, steps}, 'c');
             INDArray output = network.output(input, false)) {
            for (int w = 0; w < windows; w++) {
                for (int t = 0; t < real; t++) {
                    int label = tokens[(int) (start + (long) w * steps + t + 1)];
                    double p = output.getFloat(w, label, t);
                    totals.add(label, t, -Math.log(Math.max(p, MIN_PROBABILITY)));
                }
            }
        }
    }
}
