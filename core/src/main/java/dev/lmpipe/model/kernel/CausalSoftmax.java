package dev.lmpipe.model.kernel;

/**
 * The causal softmax of one head's attention scores ([T, T]: query i attends keys 0..i) and its backward pass, on
 * Java arrays, for {@link TransformerBlockKernel} and generation's window. The exponential is a polynomial and five
 * squarings ({@link #exp}) instead of {@link Math#exp}: the loop over a row compiles to vector instructions, where a
 * call of {@code Math.exp} (9-18 ns on the machines lmpipe is measured on, 130,000 per block, example slice and
 * minibatch of the reference's GPT) made the softmax cost more than the attention's matrix products.
 *
 * <p>Training holds each head's scores transposed, a row per key and a column per query ({@link Transposed}): each
 * query's maximum, sum and dot product are then over a column, reduced element by element across rows, with every
 * loop along rows of T values or over the whole matrix. Row by row ({@link #forward}, for generation's single
 * window), each query's reductions run along its own row of at most T values, as one scalar sum per lane.
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
     * The softmax of one head's transposed scores, {@code [T, T]} from index 0 of an array: {@code scores[j·T + i]}
     * is query i's score of key j, and column i becomes query i's probabilities over keys 0..i, 0 below them. Each
     * reduction over a column's rows is a tree of element-wise passes over whole halves of the matrix, and each value
     * a column shares (its maximum, its sum's inverse) is copied into every row first: every loop is one pass over
     * thousands of values, not one of at most T per query. Each of the tree's passes reads its two halves from two
     * arrays at the same index, the upper half copied out first: Java compiles {@code a[k] + b[k]} to vector
     * instructions, {@code a[k] + a[k + shift]} (which might overlap) not. Not thread-safe: the arrays are reused.
     */
    public static final class Transposed {
        private final int steps;
        private final int size;
        // Where key j is attended by query i (j ≤ i): kept 1 and unattended 0; elsewhere kept 0 and unattended −∞.
        private final float[] kept;
        private final float[] unattended;
        // Each column's value copied into every row, the matrix a reduction works on, and its upper half.
        private final float[] tiled;
        private final float[] reduced;
        private final float[] half;

        public Transposed(int steps) {
            this.steps = steps;
            this.size = steps * steps;
            kept = new float[size];
            unattended = new float[size];
            for (int j = 0; j < steps; j++) {
                for (int i = 0; i < steps; i++) {
                    kept[j * steps + i] = j <= i ? 1f : 0f;
                    unattended[j * steps + i] = j <= i ? 0f : Float.NEGATIVE_INFINITY;
                }
            }
            tiled = new float[size];
            reduced = new float[size];
            half = new float[size];
        }

        /** Scores → probabilities in place. */
        public void forward(float[] scores) {
            // Each column's maximum over the keys its query attends (every query attends key 0): the unattended
            // scores made −∞ first.
            for (int k = 0; k < size; k++) {
                reduced[k] = scores[k] + unattended[k];
            }
            reduceColumns(true);
            tileColumn();
            // Unattended scores may exceed the maximum, where exp would overflow: exp(0) there, then 0.
            for (int k = 0; k < size; k++) {
                scores[k] = exp((scores[k] - tiled[k]) * kept[k]) * kept[k];
            }
            System.arraycopy(scores, 0, reduced, 0, size);
            reduceColumns(false);
            for (int i = 0; i < steps; i++) {
                tiled[i] = 1 / tiled[i];
            }
            tileColumn();
            for (int k = 0; k < size; k++) {
                scores[k] *= tiled[k];
            }
        }

        /**
         * The probabilities' gradient → the scores' gradient in place, both transposed as {@link #forward} leaves
         * them: dS = P ∘ (dP − Σ_keys dP ∘ P) for each query; where P = 0 the result is 0.
         */
        public void backward(float[] gradient, float[] probabilities) {
            for (int k = 0; k < size; k++) {
                reduced[k] = gradient[k] * probabilities[k];
            }
            reduceColumns(false);
            tileColumn();
            for (int k = 0; k < size; k++) {
                gradient[k] = probabilities[k] * (gradient[k] - tiled[k]);
            }
        }

        /**
         * Each column's maximum (or sum) of {@code reduced}'s rows into {@code tiled[0, T)}, {@code reduced} used up:
         * the upper half of the rows copied out and taken element by element with the lower half, until one row is
         * left.
         */
        private void reduceColumns(boolean maximum) {
            int rows = steps;
            while (rows > 1) {
                int upper = (rows + 1) / 2;
                int paired = (rows - upper) * steps;
                // An odd count's middle row has no partner: it goes on as it is.
                System.arraycopy(reduced, upper * steps, half, 0, paired);
                if (maximum) {
                    for (int k = 0; k < paired; k++) {
                        reduced[k] = Math.max(reduced[k], half[k]);
                    }
                } else {
                    for (int k = 0; k < paired; k++) {
                        reduced[k] += half[k];
                    }
                }
                rows = upper;
            }
            System.arraycopy(reduced, 0, tiled, 0, steps);
        }

        /** tiled[0, T) into every row of tiled. */
        private void tileColumn() {
            for (int filled = steps; filled < size; filled *= 2) {
                System.arraycopy(tiled, 0, tiled, filled, Math.min(filled, size - filled));
            }
        }
    }
}
