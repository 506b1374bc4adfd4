package dev.lmpipe.train;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TimeBudgetTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void withoutALimitEveryRoundIsAllowed() {
        var budget = new TimeBudget(0, 0, true);
        assertThat(budget.limited()).isFalse();
        assertThat(budget.allowsRound(1_000_000 * SECOND, 1e6, Long.MAX_VALUE, 1)).isTrue();
    }

    @Test
    void beforeAnEvaluationWasTimedTheReserveIsEstimatedFromTheTrainingRate() {
        var budget = new TimeBudget(1, 0, false);
        // 150,000 characters at three times 10,000 chars/s: 5 s, plus 2 s for the commit.
        assertThat(budget.reserveSeconds(150_000, 10_000)).isEqualTo(7.0);
        // 60 s: elapsed 50 + round 2 + reserve 7 = 59 fits, 52 + 2 + 7 = 61 does not.
        assertThat(budget.allowsRound(50 * SECOND, 2, 150_000, 10_000)).isTrue();
        assertThat(budget.allowsRound(52 * SECOND, 2, 150_000, 10_000)).isFalse();
    }

    @Test
    void measuredTimesReplaceTheEstimatesAndAReportCountsTwice() {
        var budget = new TimeBudget(10, 0, true);
        budget.evaluated(30);
        budget.committed(4);
        // evaluation 30 + commit 4 + the report's evaluation 30 and its 10 s.
        assertThat(budget.reserveSeconds(1, 1)).isEqualTo(74.0);
        assertThat(budget.allowsRound(500 * SECOND, 20, 1, 1)).isTrue();
        assertThat(budget.allowsRound(510 * SECOND, 20, 1, 1)).isFalse();
    }

    @Test
    void theBudgetCountsFromTheJobsStart() {
        var budget = new TimeBudget(1, 100 * SECOND, false);
        assertThat(budget.elapsedSeconds(130 * SECOND)).isEqualTo(30.0);
        assertThat(budget.allowsRound(150 * SECOND, 1, 0, 1)).isTrue();
    }
}
