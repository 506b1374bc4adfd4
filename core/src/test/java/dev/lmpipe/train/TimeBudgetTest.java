package dev.lmpipe.train;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TimeBudgetTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void withoutALimitEveryRoundIsAllowed() {
        var budget = new TimeBudget(0, 0, true, true);
        assertThat(budget.limited()).isFalse();
        assertThat(budget.allowsRound(1_000_000 * SECOND, 1e6)).isTrue();
    }

    @Test
    void theReserveIsTheEvaluationAndTheCommit() {
        var budget = new TimeBudget(1, 0, false, false);
        assertThat(budget.evaluationTimed()).isFalse();
        assertThat(budget.reserveSeconds()).isEqualTo(TimeBudget.FIRST_COMMIT_SECONDS);
        budget.evaluated(5);
        assertThat(budget.evaluationTimed()).isTrue();
        // 60 s: elapsed 50 + round 2 + evaluation 5 + commit 2 = 59 fits, 52 + 2 + 7 = 61 does not.
        assertThat(budget.allowsRound(50 * SECOND, 2)).isTrue();
        assertThat(budget.allowsRound(52 * SECOND, 2)).isFalse();
    }

    @Test
    void measuredTimesReplaceEarlierOnesAndAReportCountsAnotherEvaluation() {
        var budget = new TimeBudget(10, 0, true, true);
        budget.evaluated(40);
        budget.evaluated(30);
        budget.committed(4);
        // evaluation 30 + commit 4 + the report's evaluation 30 and its 10 s.
        assertThat(budget.reserveSeconds()).isEqualTo(30 + 4 + 30 + TimeBudget.REPORT_SECONDS);
        assertThat(budget.allowsRound(500 * SECOND, 20)).isTrue();
        assertThat(budget.allowsRound(510 * SECOND, 20)).isFalse();

        // Once the job has evaluated the best checkpoint, the report reuses that evaluation.
        budget.reportReusesEvaluation();
        assertThat(budget.reserveSeconds()).isEqualTo(30 + 4 + TimeBudget.REPORT_SECONDS);
    }

    @Test
    void aNewRunsReportReusesItsEvaluation() {
        var budget = new TimeBudget(10, 0, true, false);
        budget.evaluated(30);
        assertThat(budget.reserveSeconds()).isEqualTo(30 + TimeBudget.FIRST_COMMIT_SECONDS + TimeBudget.REPORT_SECONDS);
    }

    @Test
    void trainingIsExpectedToEndWhereTheRestOfTheBudgetLessTheReserveHoldsAtTheSpeedSoFar() {
        // 10 minutes from t = 0; the first round started at 20 s; the reserve is an evaluation of 30 s and a commit of 2.
        var budget = new TimeBudget(10, 0, false, false);
        budget.evaluated(30);
        budget.committed(2);
        // At 120 s, 1,000,000 characters into the run, 500,000 of them this job's in 100 s: 5,000 characters/s for the
        // 600 - 120 - 32 = 448 s left.
        assertThat(budget.charactersAtEnd(120 * SECOND, 1_000_000, 500_000, 20 * SECOND))
                .isEqualTo(1_000_000 + 448 * 5_000);
        // Past the point where training has to stop, the end is where training is now.
        assertThat(budget.charactersAtEnd(590 * SECOND, 3_000_000, 2_850_000, 20 * SECOND)).isEqualTo(3_000_000);
    }

    @Test
    void withoutABudgetOrASpeedTheEndIsNotKnown() {
        assertThat(new TimeBudget(0, 0, false, false).charactersAtEnd(60 * SECOND, 100, 100, 0))
                .isEqualTo(Long.MAX_VALUE);
        assertThat(new TimeBudget(10, 0, false, false).charactersAtEnd(60 * SECOND, 100, 0, 60 * SECOND))
                .isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void theBudgetCountsFromTheJobsStart() {
        var budget = new TimeBudget(1, 100 * SECOND, false, false);
        assertThat(budget.elapsedSeconds(130 * SECOND)).isEqualTo(30.0);
        assertThat(budget.allowsRound(150 * SECOND, 1)).isTrue();
    }
}
