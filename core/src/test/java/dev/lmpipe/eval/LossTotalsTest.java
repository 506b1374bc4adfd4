package dev.lmpipe.eval;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class LossTotalsTest {
    /** Sums of a few doubles: exact up to rounding, so 1e-12 is loose enough and far below any real mistake. */
    private static final double EXACT = 1e-12;

    @Test
    void mergeSumsTotalsAndPerTokenCounts() {
        var a = new LossTotals(4);
        a.add(1, 0.5);
        a.add(1, 1.5);
        a.add(2, 3.0);
        var b = new LossTotals(4);
        b.add(1, 2.0);
        b.add(3, 0.25);

        LossTotals merged = a.merge(b);

        assertThat(merged).isSameAs(a);
        assertThat(merged.characters()).isEqualTo(5);
        assertThat(merged.totalNats()).isCloseTo(7.25, within(EXACT));
        assertThat(merged.characters(0)).isZero();
        assertThat(merged.characters(1)).isEqualTo(3);
        assertThat(merged.characters(2)).isEqualTo(1);
        assertThat(merged.characters(3)).isEqualTo(1);
        assertThat(merged.natsPerCharacter(1)).isCloseTo(4.0 / 3, within(EXACT));
        assertThat(merged.natsPerCharacter(3)).isCloseTo(0.25, within(EXACT));
        assertThat(merged.natsPerCharacter()).isCloseTo(7.25 / 5, within(EXACT));
        assertThat(b.characters()).as("the merged-in totals are unchanged").isEqualTo(2);
    }

    @Test
    void bitsAreNatsOverLnTwoAndPerplexityIsExpOfNats() {
        var totals = new LossTotals(2);
        totals.add(0, Math.log(4));
        totals.add(1, Math.log(4));

        // Two characters each at probability 1/4: 2 bits per character, perplexity 4.
        assertThat(totals.natsPerCharacter()).isCloseTo(Math.log(4), within(EXACT));
        assertThat(totals.bitsPerCharacter()).isCloseTo(2.0, within(EXACT));
        assertThat(totals.perplexity()).isCloseTo(4.0, within(EXACT));

        totals.add(0, 0.7);
        double nats = (2 * Math.log(4) + 0.7) / 3;
        assertThat(totals.bitsPerCharacter()).isCloseTo(nats / Math.log(2), within(EXACT));
        assertThat(totals.perplexity()).isCloseTo(Math.exp(nats), within(EXACT));
    }
}
