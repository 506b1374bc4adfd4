package dev.lmpipe.model.kernel;

import java.util.SplittableRandom;

/**
 * Inverted dropout's masks for one training pass: each value is 0 (dropped, with the given probability) or
 * {@code 1 / (1 - probability)}, so that a layer's expected output is the same with and without dropout. An
 * example's masks are drawn from the pass's seed and the example's index in the whole minibatch, so they do not
 * depend on which slice of the minibatch, or which thread, computes it.
 *
 * @param probability of dropping a value, in (0, 1)
 * @param seed        drawn once per pass from ND4J's random generator, which Spark's workers seed per step
 */
public record DropoutMasks(float probability, long seed) {
    public DropoutMasks {
        if (!(probability > 0 && probability < 1)) {
            throw new IllegalArgumentException("dropout probability must be within (0, 1), got " + probability);
        }
    }

    /** The random values of example {@code example} of the minibatch. */
    SplittableRandom forExample(int example) {
        return new SplittableRandom(seed + 0x9E3779B97F4A7C15L * example);
    }

    /** Fills {@code mask[from, from + length)} with 0 or {@code 1 / (1 - probability)}. */
    void fill(float[] mask, int from, int length, SplittableRandom random) {
        float keep = 1 / (1 - probability);
        for (int i = from; i < from + length; i++) {
            mask[i] = random.nextFloat() < probability ? 0f : keep;
        }
    }
}
