package dev.lmpipe.model;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The rate along a run, by characters trained and by the iterations DL4J counts. */
class LearningRateScheduleTest {
    private static final double PEAK = 0.001;
    private static final double FLOOR = 0.1;
    /** 1,000 characters of warmup, decay ending at 11,000, 100 characters a step. */
    private static final LearningRateSchedule COSINE =
            new LearningRateSchedule(LearningRateSchedule.Shape.cosine, PEAK, 1_000, 11_000, FLOOR, 100);

    @Test
    void warmupRisesLinearlyToThePeakWithEachStepWeighedWhereItEnds() {
        assertThat(COSINE.at(0)).isCloseTo(PEAK * 0.1, within(1e-15));
        assertThat(COSINE.at(400)).isCloseTo(PEAK * 0.5, within(1e-15));
        assertThat(COSINE.at(900)).isEqualTo(PEAK);
        assertThat(COSINE.at(1_000)).isEqualTo(PEAK);
    }

    @Test
    void cosineFallsToTheFloorAndStaysThere() {
        assertThat(COSINE.at(6_000)).isCloseTo(PEAK * (FLOOR + (1 - FLOOR) / 2), within(1e-15));
        assertThat(COSINE.at(3_500)).isCloseTo(PEAK * (FLOOR + (1 - FLOOR) * (1 + Math.cos(Math.PI / 4)) / 2),
                within(1e-15));
        assertThat(COSINE.at(11_000)).isCloseTo(PEAK * FLOOR, within(1e-15));
        assertThat(COSINE.at(1_000_000)).isCloseTo(PEAK * FLOOR, within(1e-15));
        double previous = PEAK;
        for (long c = 1_000; c <= 11_000; c += 100) {
            assertThat(COSINE.at(c)).isLessThanOrEqualTo(previous);
            previous = COSINE.at(c);
        }
    }

    @Test
    void linearFallsByEqualAmounts() {
        var linear = new LearningRateSchedule(LearningRateSchedule.Shape.linear, PEAK, 0, 10_000, 0.0, 100);
        assertThat(linear.at(0)).isEqualTo(PEAK);
        assertThat(linear.at(2_500)).isCloseTo(PEAK * 0.75, within(1e-15));
        assertThat(linear.at(10_000)).isEqualTo(0.0);
    }

    @Test
    void constantWithWarmupHoldsThePeakAfterIt() {
        var constant = new LearningRateSchedule(LearningRateSchedule.Shape.constant, PEAK, 1_000, 1_000, FLOOR, 100);
        assertThat(constant.at(400)).isCloseTo(PEAK * 0.5, within(1e-15));
        assertThat(constant.at(5_000)).isEqualTo(PEAK);
        assertThat(constant.at(50_000_000)).isEqualTo(PEAK);
    }

    @Test
    void iterationsCountFromTheAnchorTheDriverSetsEachRound() {
        // A round that starts after 2,300 characters at DL4J's iteration 17: its n-th step is at 2,300 + 100 n.
        var anchored = COSINE.anchoredAt(2_300, 17);
        for (int n = 0; n < 5; n++) {
            assertThat(anchored.valueAt(17 + n, 0)).isEqualTo(COSINE.at(2_300 + 100L * n));
        }
        assertThat(anchored).isEqualTo(anchored.clone()).hasSameHashCodeAs(anchored.clone());
        assertThat(anchored).isNotEqualTo(COSINE.anchoredAt(2_400, 17));
        // Anchoring returns a copy: the schedule a network already holds does not move under it.
        assertThat(COSINE.getAnchorCharacters()).isZero();
    }
}
