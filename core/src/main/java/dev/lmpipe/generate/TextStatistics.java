package dev.lmpipe.generate;

import java.util.HashMap;
import java.util.HashSet;

/**
 * Statistics that compare generation strategies on what they produced.
 *
 * @param characters          characters generated
 * @param distinctCharacters  distinct code points among them
 * @param entropy             entropy of their empirical character distribution, bits per character
 * @param bigramDiversity     distinct bigrams ÷ bigrams (1: no bigram repeats; near 0: a loop)
 * @param meanLogProbability  the model's own mean log-probability of each generated character, nats
 */
public record TextStatistics(int characters, int distinctCharacters, double entropy, double bigramDiversity,
                             double meanLogProbability) {

    public static TextStatistics of(Generator.Generation generation) {
        int[] cps = generation.text().codePoints().toArray();
        var counts = new HashMap<Integer, Integer>();
        for (int cp : cps) {
            counts.merge(cp, 1, Integer::sum);
        }
        double entropy = 0;
        for (int count : counts.values()) {
            double p = (double) count / cps.length;
            entropy -= p * Math.log(p) / Math.log(2);
        }
        var bigrams = new HashSet<Long>();
        for (int i = 0; i + 1 < cps.length; i++) {
            bigrams.add(((long) cps[i] << 32) | cps[i + 1]);
        }
        double diversity = cps.length < 2 ? 0 : (double) bigrams.size() / (cps.length - 1);
        return new TextStatistics(cps.length, counts.size(), entropy, diversity, generation.meanLogProbability());
    }
}
