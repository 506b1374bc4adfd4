package dev.lmpipe.train;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class EarlyStoppingTest {
    @Test
    void improvementResetsTheCounter() {
        var stopping = EarlyStopping.start(3).after(1, 2.0).after(2, 2.1).after(3, 2.0);
        assertThat(stopping.epochsWithoutImprovement()).isEqualTo(2);
        assertThat(stopping.lastImproved()).as("equal is not better").isFalse();

        stopping = stopping.after(4, 1.9);

        assertThat(stopping.epochsWithoutImprovement()).isZero();
        assertThat(stopping.best()).isEqualTo(1.9);
        assertThat(stopping.bestEpoch()).isEqualTo(4);
        assertThat(stopping.lastImproved()).isTrue();
        assertThat(stopping.shouldStop()).isFalse();
    }

    @Test
    void stopsAfterPatienceEpochsWithoutImprovement() {
        var stopping = EarlyStopping.start(2).after(1, 3.0);
        assertThat(stopping.lastImproved()).isTrue();
        assertThat(stopping.shouldStop()).isFalse();

        stopping = stopping.after(2, 3.5);
        assertThat(stopping.shouldStop()).as("one epoch without improvement, patience 2").isFalse();

        stopping = stopping.after(3, 3.0);
        assertThat(stopping.shouldStop()).isTrue();
        assertThat(stopping.bestEpoch()).isEqualTo(1);
        assertThat(stopping.best()).isEqualTo(3.0);
    }

    @Test
    void evaluationsWithinOneEpochCountEachAndOnlyABetterOneImproves() {
        var stopping = EarlyStopping.start(2).after(1, 2.0);
        assertThat(stopping.lastImproved()).isTrue();

        stopping = stopping.after(1, 2.5);
        assertThat(stopping.lastImproved()).as("same epoch, worse loss").isFalse();
        assertThat(stopping.shouldStop()).isFalse();

        stopping = stopping.after(1, 2.2);
        assertThat(stopping.shouldStop()).as("two evaluations without improvement").isTrue();
        assertThat(stopping.bestEpoch()).isEqualTo(1);
        assertThat(EarlyStopping.start(2).lastImproved()).as("nothing evaluated yet").isFalse();
    }

    @Test
    void firstEpochAlwaysImprovesOnTheStart() {
        var stopping = EarlyStopping.start(1);
        assertThat(stopping.shouldStop()).isFalse();
        stopping = stopping.after(1, 100.0);
        assertThat(stopping.lastImproved()).isTrue();
        assertThat(stopping.after(2, 100.0).shouldStop()).isTrue();
    }
}
