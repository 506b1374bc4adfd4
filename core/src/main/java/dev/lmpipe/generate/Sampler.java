package dev.lmpipe.generate;

import dev.lmpipe.config.Checks;

import java.util.Random;

/**
 * Draws the next token from a probability distribution, sharpened or flattened by a temperature:
 * {@code p_i^(1/T)} renormalised. Temperature 0 is greedy (the most likely token; ties go to the lowest id).
 * Seeded, so the same seed gives the same text.
 */
public final class Sampler {
    private final double temperature;
    private final Random random;

    public Sampler(double temperature, long seed) {
        if (temperature != 0) {
            Checks.positive("temperature", temperature);
        }
        this.temperature = temperature;
        this.random = new Random(seed);
    }

    public int next(float[] probabilities) {
        if (temperature == 0) {
            return argmax(probabilities);
        }
        // Work in log space relative to the most likely token so that small temperatures do not underflow.
        double maxLog = Math.log(probabilities[argmax(probabilities)]);
        double[] weights = new double[probabilities.length];
        double total = 0;
        for (int i = 0; i < probabilities.length; i++) {
            double w = probabilities[i] > 0 ? Math.exp((Math.log(probabilities[i]) - maxLog) / temperature) : 0;
            weights[i] = w;
            total += w;
        }
        double u = random.nextDouble() * total;
        for (int i = 0; i < weights.length; i++) {
            u -= weights[i];
            if (u < 0) {
                return i;
            }
        }
        return argmax(probabilities);
    }

    static int argmax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }
}
