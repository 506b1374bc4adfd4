package dev.lmpipe.model.kernel;

import java.util.SplittableRandom;

/**
 * Inverted dropout's masks for one training pass: each value is 0 (dropped, with the given probability) or
 * {@code 1 / (1 - probability)}, so that a layer's expected output is the same with and without dropout. An
 * example's masks are drawn from the pass's seed and the example's index in the whole minibatch, so they do not
 * depend on which slice of the minibatch, or which thread, computes it.
 *
 * <p>Each decision takes 16 random bits, four to a {@link SplittableRandom#nextLong()}: a value is dropped when its
 * 16 bits are below {@code round(probability · 65536)}, so the probability is kept to within 2^-17 (0.1 is dropped
 * with probability 0.100006). Drawing a float per decision made the masks 7% of a GPT training step with dropout
 * 0.1 (bench/step_profile.sh).
 *
 * @param probability of dropping a value, in (0, 1)
 * @param seed        drawn once per pass from ND4J's random generator, which Spark's workers seed per step
 */
public record DropoutMasks(float probability, long seed) {
    private static final int BITS = 16;
    private static final int DECISION = (1 << BITS) - 1;

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
        int threshold = Math.round(probability * (DECISION + 1));
        float keep = 1 / (1 - probability);
        int end = from + length;
        int i = from;
        for (; i + 4 <= end; i += 4) {
            long bits = random.nextLong();
            mask[i] = (bits & DECISION) < threshold ? 0f : keep;
            mask[i + 1] = ((bits >>> BITS) & DECISION) < threshold ? 0f : keep;
            mask[i + 2] = ((bits >>> 2 * BITS) & DECISION) < threshold ? 0f : keep;
            mask[i + 3] = (bits >>> 3 * BITS) < threshold ? 0f : keep;
        }
        for (long bits = i < end ? random.nextLong() : 0; i < end; i++, bits >>>= BITS) {
            mask[i] = (bits & DECISION) < threshold ? 0f : keep;
        }
    }

    /**
     * Fills {@code mask[b·length, (b + 1)·length)} with example b's mask, for each example b in {@code [from, to)}
     * of {@code length} values: a layer that drops whole examples' activations, a slice of the minibatch at a time.
     */
    public void fillExamples(float[] mask, int from, int to, int length) {
        for (int b = from; b < to; b++) {
            fill(mask, b * length, length, forExample(b));
        }
    }

    /**
     * Fills the causal part of {@code count} transposed [steps, steps] matrices from {@code from}: row j's columns
     * j..steps-1 (key j, attended by queries j and after). The other entries are left as they are: they mask
     * attention probabilities that are 0.
     */
    void fillCausalTransposed(float[] mask, int from, int count, int steps, SplittableRandom random) {
        for (int m = 0; m < count; m++) {
            for (int j = 0; j < steps; j++) {
                fill(mask, from + (m * steps + j) * steps + j, steps - j, random);
            }
        }
    }
}
