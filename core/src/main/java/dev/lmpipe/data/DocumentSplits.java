package dev.lmpipe.data;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;

/**
 * Assigns each document to a split by a hash of (seed, source name, document number), so that a document's split
 * depends on nothing else: adding files, or appending to one, never moves an old document to another split.
 * The fractions hold in expectation, not exactly.
 */
public record DocumentSplits(long seed, double validationFraction, double testFraction) implements Serializable {
    public Split of(String sourceName, long document) {
        return of(key(sourceName), document);
    }

    /** The part of the hash that depends on the source name: computed once per file. */
    public long key(String sourceName) {
        return fnv1a(sourceName) ^ seed * 0x9E3779B97F4A7C15L;
    }

    public Split of(long key, long document) {
        double u = (mix(key + document * 0xBF58476D1CE4E5B9L) >>> 11) * 0x1.0p-53;
        if (u < validationFraction) {
            return Split.validation;
        }
        return u < validationFraction + testFraction ? Split.test : Split.train;
    }

    private static long fnv1a(String text) {
        long h = 0xcbf29ce484222325L;
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xFF)) * 0x100000001b3L;
        }
        return h;
    }

    /** SplitMix64's finaliser: spreads every input bit over the output. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
