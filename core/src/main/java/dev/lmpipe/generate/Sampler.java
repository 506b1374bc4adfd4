package dev.lmpipe.generate;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Draws the next token from a model's probability distribution per a {@link Sampling}: the distribution is
 * sharpened or flattened by the temperature ({@code p_i^(1/T)} renormalised), cut to the top k, then to the
 * nucleus of mass p, renormalised and sampled. Temperature 0 is greedy (the most likely token; ties go to the
 * lowest id). Seeded, so the same seed gives the same text.
 */
public final class Sampler {
    private final Sampling sampling;
    private final Random random;

    public Sampler(Sampling sampling, long seed) {
        this.sampling = sampling;
        this.random = new Random(seed);
    }

    /** Plain temperature sampling. */
    public Sampler(double temperature, long seed) {
        this(Sampling.temperature(temperature), seed);
    }

    public int next(float[] probabilities) {
        if (sampling.greedy()) {
            return argmax(probabilities);
        }
        double[] weights = filtered(probabilities, sampling);
        double u = random.nextDouble();
        for (int i = 0; i < weights.length; i++) {
            u -= weights[i];
            if (u < 0 && weights[i] > 0) {
                return i;
            }
        }
        // Rounding left u a hair above zero: take the last token that has any mass.
        for (int i = weights.length - 1; i >= 0; i--) {
            if (weights[i] > 0) {
                return i;
            }
        }
        return argmax(probabilities);
    }

    /**
     * The distribution actually sampled from: temperature, then top-k, then top-p, normalised to sum 1.
     * Requires a positive temperature.
     */
    public static double[] filtered(float[] probabilities, Sampling sampling) {
        int n = probabilities.length;
        // Work in log space relative to the most likely token so that small temperatures do not underflow.
        double maxLog = Math.log(probabilities[argmax(probabilities)]);
        double[] weights = new double[n];
        double total = 0;
        for (int i = 0; i < n; i++) {
            weights[i] = probabilities[i] > 0 ? Math.exp((Math.log(probabilities[i]) - maxLog) / sampling.temperature()) : 0;
            total += weights[i];
        }
        normalise(weights, total);
        if (sampling.topK() == 0 && sampling.topP() == 1) {
            return weights;
        }
        Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
        // Most likely first; equal weights keep the lower id first, so cuts are deterministic.
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -weights[i]).thenComparingInt(i -> i));
        int keep = sampling.topK() > 0 ? Math.min(sampling.topK(), n) : n;
        if (sampling.topP() < 1) {
            double kept = 0;
            double mass = 0;
            for (int rank = 0; rank < keep; rank++) {
                mass += weights[order[rank]];
            }
            // Nucleus over the top-k survivors, renormalised: the smallest prefix whose mass reaches p.
            for (int rank = 0; rank < keep; rank++) {
                kept += weights[order[rank]] / mass;
                // Probabilities arrive as float32: "reaches p" allows for their rounding.
                if (kept >= sampling.topP() - 1e-6) {
                    keep = rank + 1;
                    break;
                }
            }
        }
        double survivors = 0;
        for (int rank = 0; rank < n; rank++) {
            if (rank >= keep) {
                weights[order[rank]] = 0;
            } else {
                survivors += weights[order[rank]];
            }
        }
        normalise(weights, survivors);
        return weights;
    }

    private static void normalise(double[] weights, double total) {
        for (int i = 0; i < weights.length; i++) {
            weights[i] /= total;
        }
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
