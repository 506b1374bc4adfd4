package dev.lmpipe.model;

import org.nd4j.linalg.schedule.ISchedule;

import java.util.Objects;

/**
 * Adam's learning rate as a function of the characters the whole job has trained: a linear warmup from 0 to
 * {@code peak} over {@code warmupCharacters}, then a decay of the given {@link Shape} to {@code floor × peak} at
 * {@code decayCharacters}, and the floor after that (nanoGPT's recipe with {@link Shape#cosine}).
 *
 * <p>DL4J asks an updater for its rate by iteration, and in parameter averaging every worker counts its own: each
 * round's workers all start from the driver's iteration count and take their steps side by side. So the driver
 * anchors the schedule at every round's start ({@link #anchoredAt}): the characters the job had trained then and the
 * iteration count; each iteration after it advances {@code charactersPerIteration}, the characters of one step of
 * every worker together. All workers then follow the job's global step, and a resumed run, whose checkpoint
 * holds the characters trained and the iteration count, continues the same sequence of rates.
 *
 * <p>DL4J rebuilds configurations from JSON (Spark executors, {@code ModelSerializer}): every field has a public
 * getter and setter and there is a public no-arg constructor.
 */
public final class LearningRateSchedule implements ISchedule {
    private static final long serialVersionUID = 1L;

    /** How the rate falls from its peak to its floor after the warmup. */
    public enum Shape {
        /** No decay: the peak after the warmup, whatever the decay's length. */
        constant {
            @Override
            double remaining(double progress) {
                return 1;
            }
        },
        /** Half a cosine period (SGDR, nanoGPT). */
        cosine {
            @Override
            double remaining(double progress) {
                return 0.5 * (1 + Math.cos(Math.PI * progress));
            }
        },
        linear {
            @Override
            double remaining(double progress) {
                return 1 - progress;
            }
        };

        /** The share of the way from the floor to the peak left at {@code progress} ∈ [0, 1] of the decay. */
        abstract double remaining(double progress);
    }

    private Shape shape;
    private double peak;
    private long warmupCharacters;
    private long decayCharacters;
    private double floor;
    private long charactersPerIteration;
    private long anchorCharacters;
    private int anchorIteration;

    /** For Jackson only. */
    public LearningRateSchedule() {
    }

    /**
     * @param peak                   the rate after the warmup
     * @param warmupCharacters       characters of the linear warmup (0: none)
     * @param decayCharacters        where the decay ends, counted from the run's start (warmup included)
     * @param floor                  the rate at the decay's end and after, as a fraction of {@code peak}
     * @param charactersPerIteration characters all workers train in one iteration each
     */
    public LearningRateSchedule(Shape shape, double peak, long warmupCharacters, long decayCharacters, double floor,
                                long charactersPerIteration) {
        this.shape = Objects.requireNonNull(shape);
        this.peak = peak;
        this.warmupCharacters = warmupCharacters;
        this.decayCharacters = decayCharacters;
        this.floor = floor;
        this.charactersPerIteration = charactersPerIteration;
    }

    /** This schedule for the iterations from {@code iteration} on, the job having trained {@code characters}. */
    public LearningRateSchedule anchoredAt(long characters, int iteration) {
        var anchored = clone();
        anchored.anchorCharacters = characters;
        anchored.anchorIteration = iteration;
        return anchored;
    }

    /**
     * This schedule with its decay ending by {@code characters} at the latest: where a time budget is expected to end
     * training, estimated again before every round (the decay then follows the job's measured speed, not a fixed
     * length). {@link Long#MAX_VALUE} as {@code decayCharacters} stands for an end not known yet: the peak until then.
     */
    public LearningRateSchedule endingBy(long characters) {
        var ending = clone();
        ending.decayCharacters = Math.min(decayCharacters, Math.max(0, characters));
        return ending;
    }

    /** The rate of the step that starts after {@code characters} trained characters. */
    public double at(long characters) {
        // The warmup's first step trains at a rate above 0: each step is weighed by where it ends.
        long after = characters + charactersPerIteration;
        if (after < warmupCharacters) {
            return peak * after / warmupCharacters;
        }
        if (characters >= decayCharacters) {
            return peak * (shape == Shape.constant ? 1 : floor);
        }
        double progress = Math.max(0, (double) (characters - warmupCharacters))
                / Math.max(1, decayCharacters - warmupCharacters);
        return peak * (floor + (1 - floor) * shape.remaining(progress));
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        return at(anchorCharacters + (long) (iteration - anchorIteration) * charactersPerIteration);
    }

    @Override
    public LearningRateSchedule clone() {
        var copy = new LearningRateSchedule(shape, peak, warmupCharacters, decayCharacters, floor, charactersPerIteration);
        copy.anchorCharacters = anchorCharacters;
        copy.anchorIteration = anchorIteration;
        return copy;
    }

    /** DL4J groups parameters whose updater configurations are equal into one update: equal by value. */
    @Override
    public boolean equals(Object other) {
        return other instanceof LearningRateSchedule s && shape == s.shape && peak == s.peak
                && warmupCharacters == s.warmupCharacters && decayCharacters == s.decayCharacters && floor == s.floor
                && charactersPerIteration == s.charactersPerIteration && anchorCharacters == s.anchorCharacters
                && anchorIteration == s.anchorIteration;
    }

    @Override
    public int hashCode() {
        return Objects.hash(shape, peak, warmupCharacters, decayCharacters, floor, charactersPerIteration,
                anchorCharacters, anchorIteration);
    }

    @Override
    public String toString() {
        return String.format("%s schedule, peak %s, warmup %,d characters, decay to %s × peak at %,d characters",
                shape, peak, warmupCharacters, floor, decayCharacters);
    }

    public Shape getShape() {
        return shape;
    }

    public void setShape(Shape shape) {
        this.shape = shape;
    }

    public double getPeak() {
        return peak;
    }

    public void setPeak(double peak) {
        this.peak = peak;
    }

    public long getWarmupCharacters() {
        return warmupCharacters;
    }

    public void setWarmupCharacters(long warmupCharacters) {
        this.warmupCharacters = warmupCharacters;
    }

    public long getDecayCharacters() {
        return decayCharacters;
    }

    public void setDecayCharacters(long decayCharacters) {
        this.decayCharacters = decayCharacters;
    }

    public double getFloor() {
        return floor;
    }

    public void setFloor(double floor) {
        this.floor = floor;
    }

    public long getCharactersPerIteration() {
        return charactersPerIteration;
    }

    public void setCharactersPerIteration(long charactersPerIteration) {
        this.charactersPerIteration = charactersPerIteration;
    }

    public long getAnchorCharacters() {
        return anchorCharacters;
    }

    public void setAnchorCharacters(long anchorCharacters) {
        this.anchorCharacters = anchorCharacters;
    }

    public int getAnchorIteration() {
        return anchorIteration;
    }

    public void setAnchorIteration(int anchorIteration) {
        this.anchorIteration = anchorIteration;
    }
}
