package dev.lmpipe.data;

import org.junit.jupiter.api.Test;

import java.util.BitSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WindowPermutationTest {
    @Test
    void isABijectionOfTheRangeForSizesAroundPowersOfTwo() {
        for (long size : new long[]{1, 2, 3, 4, 5, 15, 16, 17, 1000, 4095, 4096, 4097, 100_003}) {
            var permutation = new WindowPermutation(size, 7);
            var seen = new BitSet();
            for (long position = 0; position < size; position++) {
                long value = permutation.at(position);
                assertThat(value).as("size %d", size).isBetween(0L, size - 1);
                assertThat(seen.get((int) value)).as("size %d: %d twice", size, value).isFalse();
                seen.set((int) value);
            }
            assertThat(seen.cardinality()).isEqualTo((int) size);
        }
    }

    @Test
    void theSameSeedGivesTheSameOrderAndAnotherSeedAnother() {
        var a = new WindowPermutation(10_000, 1);
        var b = new WindowPermutation(10_000, 1);
        var c = new WindowPermutation(10_000, 2);
        int differ = 0;
        for (long position = 0; position < 10_000; position++) {
            assertThat(a.at(position)).isEqualTo(b.at(position));
            differ += a.at(position) != c.at(position) ? 1 : 0;
        }
        assertThat(differ).isGreaterThan(9_900);
    }

    /** Not a proof of randomness: consecutive positions land far apart, with no drift of the values. */
    @Test
    void consecutivePositionsAreSpreadOverTheRange() {
        long size = 1_000_000;
        var permutation = new WindowPermutation(size, 42);
        long[] quarters = new long[4];
        for (long position = 0; position < 1_000; position++) {
            quarters[(int) (permutation.at(position) * 4 / size)]++;
        }
        // 250 expected in each quarter; a binomial's standard deviation is about 14, so 180 is 5 of them below.
        assertThat(java.util.Arrays.stream(quarters).min().orElseThrow()).isGreaterThan(180);
    }

    @Test
    void hugeRangesNeedNoMemory() {
        long size = 20L << 30;
        var permutation = new WindowPermutation(size, 3);
        assertThat(permutation.at(0)).isBetween(0L, size - 1);
        assertThat(permutation.at(size - 1)).isBetween(0L, size - 1).isNotEqualTo(permutation.at(0));
    }

    @Test
    void positionsOutsideTheRangeAreRejected() {
        assertThatThrownBy(() -> new WindowPermutation(5, 1).at(5)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> new WindowPermutation(0, 1).at(0)).isInstanceOf(IndexOutOfBoundsException.class);
    }
}
