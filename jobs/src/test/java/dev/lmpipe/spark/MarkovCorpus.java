package dev.lmpipe.spark;

import java.util.Random;

/**
 * A synthetic corpus whose entropy is known exactly: a seeded first-order Markov chain over a small alphabet
 * in which every symbol has three successors with probabilities 0.6, 0.3 and 0.1. Its entropy rate is the
 * stationary mean of the rows' entropies (0.898 nats per character, the same for every row), well below the
 * unigram entropy of the stationary distribution (close to ln of the alphabet size).
 */
final class MarkovCorpus {
    static final double[] SUCCESSOR_PROBABILITIES = {0.6, 0.3, 0.1};

    private final String alphabet;
    private final int[][] successors;
    private final double[] stationary;

    MarkovCorpus(String alphabet, long seed) {
        this.alphabet = alphabet;
        int n = alphabet.length();
        var random = new Random(seed);
        successors = new int[n][SUCCESSOR_PROBABILITIES.length];
        for (int i = 0; i < n; i++) {
            // Three distinct successors per symbol.
            int[] picks = random.ints(0, n).distinct().limit(SUCCESSOR_PROBABILITIES.length).toArray();
            successors[i] = picks;
        }
        stationary = stationaryDistribution();
    }

    String generate(int length, long seed) {
        var random = new Random(seed);
        var text = new StringBuilder(length);
        int state = 0;
        for (int i = 0; i < length; i++) {
            text.append(alphabet.charAt(state));
            double u = random.nextDouble();
            int k = 0;
            while (k < SUCCESSOR_PROBABILITIES.length - 1 && u >= SUCCESSOR_PROBABILITIES[k]) {
                u -= SUCCESSOR_PROBABILITIES[k];
                k++;
            }
            state = successors[state][k];
        }
        return text.toString();
    }

    /** Pairs of neighbouring characters in {@code text} that the chain never produces. */
    int impossibleTransitions(String text) {
        int impossible = 0;
        for (int i = 0; i + 1 < text.length(); i++) {
            int from = alphabet.indexOf(text.charAt(i));
            int to = alphabet.indexOf(text.charAt(i + 1));
            if (from < 0 || to < 0 || java.util.Arrays.stream(successors[from]).noneMatch(s -> s == to)) {
                impossible++;
            }
        }
        return impossible;
    }

    /** Entropy rate in nats per character: every row has the same entropy. */
    double entropyRate() {
        double h = 0;
        for (double p : SUCCESSOR_PROBABILITIES) {
            h -= p * Math.log(p);
        }
        return h;
    }

    /** Entropy of the stationary single-character distribution, nats: the best a unigram model can do. */
    double unigramEntropy() {
        double h = 0;
        for (double p : stationary) {
            if (p > 0) {
                h -= p * Math.log(p);
            }
        }
        return h;
    }

    private double[] stationaryDistribution() {
        int n = alphabet.length();
        double[] p = new double[n];
        java.util.Arrays.fill(p, 1.0 / n);
        for (int iteration = 0; iteration < 10_000; iteration++) {
            double[] next = new double[n];
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < SUCCESSOR_PROBABILITIES.length; k++) {
                    next[successors[i][k]] += p[i] * SUCCESSOR_PROBABILITIES[k];
                }
            }
            p = next;
        }
        return p;
    }
}
