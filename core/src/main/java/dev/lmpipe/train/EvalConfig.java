package dev.lmpipe.train;

import dev.lmpipe.config.Checks;

/**
 * The {@code eval.*} settings of a training configuration: how much validation text each evaluation reads, and how
 * often training stops to evaluate.
 *
 * @param maxCharacters   evaluate a fixed sample of about this many validation characters, the same windows at every
 *                        evaluation (so that the figures compare across a run), spread evenly over the whole split;
 *                        0: every character of the split. A split smaller than this is evaluated whole.
 * @param everyCharacters also evaluate, and commit a checkpoint, every this many trained characters within an epoch
 *                        (0: at the end of each epoch only), for corpora whose epoch is longer than a job
 */
public record EvalConfig(long maxCharacters, long everyCharacters) {
    /** Two million characters: a few tens of seconds on two cores, a standard error far below 0.01 nats/char. */
    private static final long MAX_CHARACTERS = 2_000_000;
    private static final long EVERY_CHARACTERS = 0;   // evaluate at epoch ends only

    public static final EvalConfig DEFAULTS = new EvalConfig(MAX_CHARACTERS, EVERY_CHARACTERS);

    public EvalConfig {
        Checks.atLeast("maxCharacters", maxCharacters, 0);
        Checks.atLeast("everyCharacters", everyCharacters, 0);
    }
}
