package dev.lmpipe.train;

/**
 * Early stopping on validation loss: an evaluation improves when its loss is lower than the best so far; after
 * {@code patience} evaluations in a row without improvement, training stops. An evaluation ends every epoch, and
 * with {@code eval.everyCharacters} more happen within one; {@code bestEpoch} is the epoch the best one was in (the
 * field names predate evaluations within epochs and are kept: they are in every checkpoint's state.json).
 */
public record EarlyStopping(int patience, double best, int bestEpoch, int epochsWithoutImprovement) {
    public static EarlyStopping start(int patience) {
        return new EarlyStopping(patience, Double.POSITIVE_INFINITY, 0, 0);
    }

    /** Continues the early stopping of a resumed run, or starts afresh when there is none. */
    public static EarlyStopping resume(int patience, TrainingState state) {
        return state == null ? start(patience)
                : new EarlyStopping(patience, state.bestValidationLoss(), state.bestEpoch(), state.epochsWithoutImprovement());
    }

    /** After an evaluation in epoch {@code epoch} (1-based, the epoch in progress) that gave {@code validationLoss}. */
    public EarlyStopping after(int epoch, double validationLoss) {
        if (validationLoss < best) {
            return new EarlyStopping(patience, validationLoss, epoch, 0);
        }
        return new EarlyStopping(patience, best, bestEpoch, epochsWithoutImprovement + 1);
    }

    /** Whether the last evaluation was the best so far. */
    public boolean lastImproved() {
        return bestEpoch > 0 && epochsWithoutImprovement == 0;
    }

    public boolean shouldStop() {
        return epochsWithoutImprovement >= patience;
    }
}
