package dev.lmpipe.train;

/**
 * Early stopping on validation loss: an epoch improves when its loss is lower than the best so far; after
 * {@code patience} epochs in a row without improvement, training stops.
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

    public EarlyStopping after(int epoch, double validationLoss) {
        if (validationLoss < best) {
            return new EarlyStopping(patience, validationLoss, epoch, 0);
        }
        return new EarlyStopping(patience, best, bestEpoch, epochsWithoutImprovement + 1);
    }

    public boolean improved(int epoch) {
        return bestEpoch == epoch;
    }

    public boolean shouldStop() {
        return epochsWithoutImprovement >= patience;
    }
}
