package dev.lmpipe.model.kernel;

/**
 * The causal softmax of one head's attention scores ([T, T], row i attends to columns 0..i) and its backward pass,
 * on Java arrays, for {@link TransformerBlockKernel} and generation's window. The exponential is a polynomial and five
 * squarings ({@link #exp}) instead of {@link Math#exp}: the loop over a row compiles to vector instructions, where a
 * call of {@code Math.exp} (9-18 ns on the machines lmpipe is measured on, 130,000 per block, example slice and
 * minibatch of the reference's GPT) made the softmax cost more than the attention's matrix products.
 */
public final class CausalSoftmax {
    /** exp(x) below this is taken as exp(LOWEST) = 9e-14: far below a float's resolution at the row's maximum, 1. */
    private static final float LOWEST = -30f;
    private static final int SQUARINGS = 5;
    private static final float SCALE = 1f / (1 << SQUARINGS);
    // Taylor coefficients of exp up to degree 7, for |x| / 32 <= 0.94.
    private static final float C2 = 1f / 2;
    private static final float C3 = 1f / 6;
    private static final float C4 = 1f / 24;
    private static final float C5 = 1f / 120;
    private static final float C6 = 1f / 720;
    private static final float C7 = 1f / 5040;

    private CausalSoftmax() {
    }

    /**
     * exp(x) for x <= 0, within 2e-6 of the exact value (absolute; relative within 4e-6 for x >= -10): the degree-7
     * Taylor polynomial of exp(x / 32), raised to the 32nd power by squaring. For softmax rows after their maximum
     * is subtracted, where the largest value is exp(0) = 1.
     */
    static float exp(float x) {
        float y = Math.max(x, LOWEST) * SCALE;
        float p = ((((((C7 * y + C6) * y + C5) * y + C4) * y + C3) * y + C2) * y + 1f) * y + 1f;
        p *= p;
        p *= p;
        p *= p;
        p *= p;
        return p * p;
    }

    /**
     * Scores → probabilities in place, for the [steps, steps] matrix at {@code at}: softmax over columns 0..i of
     * each row i, 0 above the diagonal.
     */
    public static void forward(float[] scores, int at, int steps) {
        for (int i = 0; i < steps; i++) {
            int row = at + i * steps;
            float max = Reductions.max(scores, row, row + i + 1);
            // The whole row, masked columns too: a loop of fixed length compiles to vector instructions, one that
            // stops at the diagonal mostly runs its scalar remainder. The masked columns are overwritten below.
            for (int j = row; j < row + steps; j++) {
                scores[j] = exp(scores[j] - max);
            }
            java.util.Arrays.fill(scores, row + i + 1, row + steps, 0f);
            float inverse = 1 / Reductions.sum(scores, row, row + steps);
            for (int j = row; j < row + steps; j++) {
                scores[j] *= inverse;
            }
        }
    }

    /**
     * The probabilities' gradient → the scores' gradient in place ([steps, steps] at {@code at} in both arrays):
     * dS = P ∘ (dP − rowsum(dP ∘ P)); entries above the diagonal, where P = 0, become 0.
     */
    static void backward(float[] gradient, float[] probabilities, int at, int steps) {
        // Whole rows: above the diagonal P = 0, so those terms add nothing to the sum and their results are 0.
        for (int i = 0; i < steps; i++) {
            int row = at + i * steps;
            float dot = Reductions.dot(gradient, probabilities, row, row + steps);
            for (int j = row; j < row + steps; j++) {
                gradient[j] = probabilities[j] * (gradient[j] - dot);
            }
        }
    }
}
