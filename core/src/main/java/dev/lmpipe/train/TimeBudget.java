package dev.lmpipe.train;

/**
 * A wall-time budget for a whole training job ({@code maxMinutes}): training stops before the round that would leave
 * too little time for what must follow it, the final evaluation, checkpoint and report (which reuses the job's
 * evaluation of the best checkpoint when there is one, else evaluates it again). Their durations are the
 * last ones this job measured: the evaluation's from a timed evaluation of part of the sample (the train job times
 * one after its first round) until a whole one has run, the commit's once one has run.
 */
public final class TimeBudget {
    /** Seconds assumed for a checkpoint's commit before one was timed. */
    static final double FIRST_COMMIT_SECONDS = 2.0;
    /** Seconds of a report beyond its evaluation: loading the best checkpoint, samples, charts. */
    static final double REPORT_SECONDS = 10.0;

    private final double limitSeconds;
    private final long startedNanos;
    private final boolean report;
    private boolean reportEvaluates;
    private double evaluationSeconds = Double.NaN;
    private double commitSeconds = FIRST_COMMIT_SECONDS;

    /**
     * @param maxMinutes      the budget (0: none)
     * @param startedNanos    {@link System#nanoTime()} when the job started
     * @param report          whether a report follows training
     * @param reportEvaluates whether the report evaluates a checkpoint again (the best one, when this job has not
     *                        evaluated it), rather than reusing this job's evaluation of it
     */
    public TimeBudget(double maxMinutes, long startedNanos, boolean report, boolean reportEvaluates) {
        this.limitSeconds = maxMinutes * 60;
        this.startedNanos = startedNanos;
        this.report = report;
        this.reportEvaluates = reportEvaluates;
    }

    public boolean limited() {
        return limitSeconds > 0;
    }

    /** Whether an evaluation's duration is known (measured or scaled from a part). */
    public boolean evaluationTimed() {
        return !Double.isNaN(evaluationSeconds);
    }

    public double elapsedSeconds(long nowNanos) {
        return (nowNanos - startedNanos) / 1e9;
    }

    /**
     * Whether a round of about {@code roundSeconds} can start at {@code nowNanos} and still leave time for the final
     * evaluation, the checkpoint and the report.
     */
    public boolean allowsRound(long nowNanos, double roundSeconds) {
        return !limited() || elapsedSeconds(nowNanos) + roundSeconds + reserveSeconds() <= limitSeconds;
    }

    /**
     * Where this job's training is expected to end, in characters trained by the run: {@code trained} now plus what is
     * left of the budget, less {@link #reserveSeconds}, at this job's speed since its first round started (the
     * evaluations and checkpoints between rounds included: they recur). {@link Long#MAX_VALUE} without a budget or
     * before a round has been timed.
     *
     * @param trainedByThisJob characters this job has trained since {@code firstRoundNanos}
     */
    public long charactersAtEnd(long nowNanos, long trained, long trainedByThisJob, long firstRoundNanos) {
        double measuredSeconds = (nowNanos - firstRoundNanos) / 1e9;
        if (!limited() || trainedByThisJob <= 0 || measuredSeconds <= 0) {
            return Long.MAX_VALUE;
        }
        double left = Math.max(0, limitSeconds - elapsedSeconds(nowNanos) - reserveSeconds());
        return trained + (long) (left * trainedByThisJob / measuredSeconds);
    }

    /** Seconds kept for the final evaluation, checkpoint and report. */
    public double reserveSeconds() {
        double evaluation = evaluationTimed() ? evaluationSeconds : 0;
        return evaluation + commitSeconds + (report ? REPORT_SECONDS + (reportEvaluates ? evaluation : 0) : 0);
    }

    /** This job has evaluated the best checkpoint: the report will reuse that evaluation. */
    public void reportReusesEvaluation() {
        reportEvaluates = false;
    }

    /** An evaluation of the whole sample took, or is expected to take, {@code seconds}. */
    public void evaluated(double seconds) {
        evaluationSeconds = seconds;
    }

    public void committed(double seconds) {
        commitSeconds = seconds;
    }
}
