package dev.lmpipe.train;

/**
 * A wall-time budget for a whole training job ({@code maxMinutes}): training stops before the round that would leave
 * too little time for what must follow it, the final evaluation, checkpoint and report. What follows is estimated
 * from what this job has measured: the last evaluation's and commit's durations once there were some; before the
 * first evaluation, the sample's characters at {@link #EVALUATION_SPEEDUP} times the training rate (a forward pass
 * costs about a third of a training step; the LSTM on the Linux corpus evaluated 6 times faster than it trained,
 * bench/RESULTS.md).
 */
public final class TimeBudget {
    /** Characters evaluated per second over characters trained per second, before an evaluation was timed. */
    static final double EVALUATION_SPEEDUP = 3.0;
    /** Seconds assumed for a checkpoint's commit before one was timed. */
    static final double FIRST_COMMIT_SECONDS = 2.0;
    /** Seconds of a report beyond its evaluation: loading the best checkpoint, samples, charts. */
    static final double REPORT_SECONDS = 10.0;

    private final double limitSeconds;
    private final long startedNanos;
    private final boolean report;
    private double evaluationSeconds = Double.NaN;
    private double commitSeconds = FIRST_COMMIT_SECONDS;

    /**
     * @param maxMinutes   the budget (0: none)
     * @param startedNanos {@link System#nanoTime()} when the job started
     * @param report       whether a report (one more evaluation) follows training
     */
    public TimeBudget(double maxMinutes, long startedNanos, boolean report) {
        this.limitSeconds = maxMinutes * 60;
        this.startedNanos = startedNanos;
        this.report = report;
    }

    public boolean limited() {
        return limitSeconds > 0;
    }

    public double elapsedSeconds(long nowNanos) {
        return (nowNanos - startedNanos) / 1e9;
    }

    /**
     * Whether a round of about {@code roundSeconds} can start at {@code nowNanos} and still leave time for the final
     * evaluation of {@code sampleCharacters} (at {@code trainingCharactersPerSecond} while none was timed), the
     * checkpoint and the report.
     */
    public boolean allowsRound(long nowNanos, double roundSeconds, long sampleCharacters,
                               double trainingCharactersPerSecond) {
        if (!limited()) {
            return true;
        }
        return elapsedSeconds(nowNanos) + roundSeconds + reserveSeconds(sampleCharacters, trainingCharactersPerSecond)
                <= limitSeconds;
    }

    /** Seconds kept for the final evaluation, checkpoint and report. */
    public double reserveSeconds(long sampleCharacters, double trainingCharactersPerSecond) {
        double evaluation = !Double.isNaN(evaluationSeconds) ? evaluationSeconds
                : trainingCharactersPerSecond > 0 ? sampleCharacters / (EVALUATION_SPEEDUP * trainingCharactersPerSecond)
                : 0;
        return evaluation + commitSeconds + (report ? evaluation + REPORT_SECONDS : 0);
    }

    public void evaluated(double seconds) {
        evaluationSeconds = seconds;
    }

    public void committed(double seconds) {
        commitSeconds = seconds;
    }
}
