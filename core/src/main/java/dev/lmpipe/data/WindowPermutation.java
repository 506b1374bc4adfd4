package dev.lmpipe.data;

/**
 * A seeded pseudo-random permutation of {@code [0, size)} computed one element at a time, in constant memory: a
 * four-round Feistel network over the smallest even number of bits that holds {@code size}, walked along its cycle
 * until it lands inside the range ("cycle walking", Black and Rogaway 2002). A Feistel network is a bijection
 * whatever its round function, and so is cycle walking on a bijection of a superset; the superset is less than four
 * times the range, so a value takes fewer than four network passes on average.
 */
public final class WindowPermutation {
    private static final int ROUNDS = 4;
    private final long size;
    private final int halfBits;
    private final long halfMask;
    private final long[] keys = new long[ROUNDS];

    public WindowPermutation(long size, long seed) {
        if (size < 0) {
            throw new IllegalArgumentException("size must not be negative, got " + size);
        }
        this.size = size;
        int bits = Math.max(2, 64 - Long.numberOfLeadingZeros(Math.max(1, size - 1)));
        this.halfBits = (bits + 1) / 2;
        this.halfMask = (1L << halfBits) - 1;
        long state = seed;
        for (int i = 0; i < ROUNDS; i++) {
            state += 0x9E3779B97F4A7C15L;
            keys[i] = mix(state);
        }
    }

    public long size() {
        return size;
    }

    /** The element at position {@code position} of the permutation. */
    public long at(long position) {
        if (position < 0 || position >= size) {
            throw new IndexOutOfBoundsException("position " + position + " of " + size);
        }
        long value = position;
        do {
            value = feistel(value);
        } while (value >= size);
        return value;
    }

    private long feistel(long value) {
        long left = value >>> halfBits;
        long right = value & halfMask;
        for (long key : keys) {
            long next = left ^ (mix(right ^ key) & halfMask);
            left = right;
            right = next;
        }
        return left << halfBits | right;
    }

    /** SplitMix64's finaliser: every input bit affects every output bit. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
