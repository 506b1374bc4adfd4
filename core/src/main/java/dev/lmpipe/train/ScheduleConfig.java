package dev.lmpipe.train;

import dev.lmpipe.config.Checks;
import dev.lmpipe.config.InvalidSetting;
import dev.lmpipe.model.LearningRateSchedule;

/**
 * The {@code schedule.*} settings of a training configuration: how Adam's learning rate moves over a run. From 0 it
 * rises linearly to {@code learningRate} over the warmup, then falls as {@code kind} says to
 * {@code floor × learningRate} where the schedule's length ends, and stays there (nanoGPT: cosine, floor 0.1).
 *
 * @param kind   {@code constant} (no decay), {@code cosine} or {@code linear}
 * @param unit   what {@code warmup} and {@code length} count: {@code characters} trained by the whole job, or
 *               {@code steps}, one minibatch on every worker ({@code workers × batchSize × seqLen} characters)
 * @param warmup the warmup's length (0: none)
 * @param length where the decay ends, counted from the run's start, warmup included; 0: where training ends, at
 *               {@code maxCharacters} or where {@code maxMinutes} is expected to end it, whichever comes first (the
 *               latter estimated before every round from the job's speed so far, so that the rates then depend on
 *               the machine's speed and a rerun is not bit for bit the same)
 * @param floor  the rate at the decay's end and after, as a fraction of {@code learningRate}
 */
public record ScheduleConfig(LearningRateSchedule.Shape kind, Unit unit, long warmup, long length, double floor) {
    /** What a schedule's lengths count. */
    public enum Unit {
        characters, steps
    }

    private static final LearningRateSchedule.Shape KIND = LearningRateSchedule.Shape.constant;   // no decay
    private static final Unit UNIT = Unit.characters;
    private static final long WARMUP = 0;         // none
    private static final long LENGTH = 0;         // to maxCharacters
    private static final double FLOOR = 0.1;      // nanoGPT's min_lr = learning_rate / 10

    public static final ScheduleConfig DEFAULTS = new ScheduleConfig(KIND, UNIT, WARMUP, LENGTH, FLOOR);

    public ScheduleConfig {
        if (kind == null) {
            kind = KIND;
        }
        if (unit == null) {
            unit = UNIT;
        }
        Checks.atLeast("warmup", warmup, 0);
        Checks.atLeast("length", length, 0);
        Checks.within("floor", floor, 0, 1);
        if (length > 0 && warmup >= length && kind != LearningRateSchedule.Shape.constant) {
            throw new InvalidSetting("warmup", "must be below length, where the decay after it ends; got " + warmup
                    + " and " + length, java.util.List.of("length"));
        }
    }

    /** Whether the rate ever differs from {@code learningRate}. */
    public boolean varies() {
        return kind != LearningRateSchedule.Shape.constant || warmup > 0;
    }

    /** Whether the decay ends where training does ({@code maxCharacters}, {@code maxMinutes}) rather than at a length. */
    public boolean endsWithTraining() {
        return kind != LearningRateSchedule.Shape.constant && length == 0;
    }

    /**
     * The schedule of a run, in characters; null when the rate is constant (Adam then keeps its plain rate, exactly as
     * without a schedule). A decay that ends with training but has no {@code maxCharacters} ends at
     * {@link Long#MAX_VALUE} until the time budget's end is estimated ({@link LearningRateSchedule#endingBy}).
     *
     * @param charactersPerStep the characters of one minibatch on every worker
     */
    public LearningRateSchedule resolve(double learningRate, long maxCharacters, long charactersPerStep) {
        if (!varies()) {
            return null;
        }
        long perUnit = unit == Unit.steps ? charactersPerStep : 1;
        long warmupCharacters = Math.multiplyExact(warmup, perUnit);
        long end = kind == LearningRateSchedule.Shape.constant ? warmupCharacters
                : length > 0 ? Math.multiplyExact(length, perUnit)
                : maxCharacters > 0 ? maxCharacters : Long.MAX_VALUE;
        if (end <= warmupCharacters && kind != LearningRateSchedule.Shape.constant) {
            throw new InvalidSetting("schedule.warmup", String.format("must end before the decay does: %,d characters"
                    + " of warmup, decay to maxCharacters = %,d", warmupCharacters, end), java.util.List.of("maxCharacters"));
        }
        return new LearningRateSchedule(kind, learningRate, warmupCharacters, end, floor, charactersPerStep);
    }

    /**
     * For train's first line.
     *
     * @param timeBudget whether the decay's end follows {@code maxMinutes} when that ends training first
     */
    public static String describe(LearningRateSchedule schedule, double learningRate, boolean timeBudget) {
        if (schedule == null) {
            return "learning rate " + learningRate;
        }
        String warmup = schedule.getWarmupCharacters() > 0
                ? String.format(", warmup %,d characters", schedule.getWarmupCharacters()) : "";
        if (schedule.getShape() == LearningRateSchedule.Shape.constant) {
            return String.format("learning rate %s%s", learningRate, warmup);
        }
        long end = schedule.getDecayCharacters();
        String where = end == Long.MAX_VALUE ? "where maxMinutes ends training (estimated from the speed)"
                : String.format("at %,d characters", end)
                + (timeBudget ? " or where maxMinutes ends training, if that comes first" : "");
        return String.format("learning rate %s%s, %s decay to %s %s", learningRate, warmup, schedule.getShape(),
                learningRate * schedule.getFloor(), where);
    }
}
