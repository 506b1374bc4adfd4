package dev.lmpipe.train;

import dev.lmpipe.config.Checks;

/**
 * The {@code checkpoint.*} settings of a training configuration.
 *
 * @param everyRounds also write a checkpoint every this many averaging rounds within an epoch (0: only at the
 *                    end of each epoch), so that a crash loses at most that many rounds
 * @param keep        keep the newest this many checkpoints and delete older ones (0: keep all); those that
 *                    {@code latest}, {@code best} or {@code champion} point at are always kept
 */
public record CheckpointConfig(int everyRounds, int keep) {
    private static final int EVERY_ROUNDS = 0;   // checkpoints at epoch ends only
    private static final int KEEP = 0;           // keep every checkpoint

    public static final CheckpointConfig DEFAULTS = new CheckpointConfig(EVERY_ROUNDS, KEEP);

    public CheckpointConfig {
        Checks.atLeast("everyRounds", everyRounds, 0);
        Checks.atLeast("keep", keep, 0);
    }
}
