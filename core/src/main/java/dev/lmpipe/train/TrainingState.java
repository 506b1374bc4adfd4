package dev.lmpipe.train;

import java.util.Map;

/**
 * {@code state.json} of a checkpoint: where training stands and how it was made (Tribuo-style provenance).
 *
 * @param epoch                  epochs completed (1-based: 1 after the first epoch)
 * @param step                   minibatches fitted so far, over all workers
 * @param rounds                 averaging rounds so far
 * @param trainedCharacters      characters (predicted positions) trained on so far
 * @param seed                   the run's seed
 * @param validationLoss         this checkpoint's validation loss, nats per character
 * @param bestValidationLoss     best validation loss so far, nats per character
 * @param bestEpoch              the epoch that reached it
 * @param epochsWithoutImprovement epochs since the best one, for early stopping
 * @param stopped                why training stopped after this epoch, or null if it can go on
 * @param model                  CRC-32C and size of model.zip, checked before it is loaded
 * @param vocabularyFingerprint  SHA-256 of the vocabulary the model was trained with
 * @param datasetManifest        CRC-32C of the dataset's manifest.json
 * @param config                 the resolved training configuration
 * @param versions               library versions and the lmpipe commit
 * @param epochRound             averaging rounds done in the next, unfinished epoch: 0 at the end of an epoch,
 *                               more in a checkpoint written every {@code checkpoint.everyRounds} rounds
 * @param epochLossSum           sum of those rounds' training losses, for the epoch's mean when it resumes
 * @param outerMomentum          size and CRC-32C of outer-momentum.bin, the outer optimizer's state; null when it has
 *                               none ({@code averaging.outer = plain}, or no round yet)
 */
public record TrainingState(int epoch, long step, long rounds, long trainedCharacters, long seed,
                            double validationLoss, double bestValidationLoss, int bestEpoch,
                            int epochsWithoutImprovement, String stopped, FileDigest model,
                            String vocabularyFingerprint, String datasetManifest, TrainConfig config,
                            Map<String, String> versions, int epochRound, double epochLossSum,
                            FileDigest outerMomentum) {

    /** The same state, recording the files it goes with: the model and the outer momentum (null if none). */
    public TrainingState withFiles(FileDigest model, FileDigest outerMomentum) {
        return new TrainingState(epoch, step, rounds, trainedCharacters, seed, validationLoss, bestValidationLoss,
                bestEpoch, epochsWithoutImprovement, stopped, model, vocabularyFingerprint, datasetManifest, config,
                versions, epochRound, epochLossSum, outerMomentum);
    }

    /** Whether this is the state at the end of an epoch rather than in the middle of one. */
    public boolean atEpochEnd() {
        return epochRound == 0;
    }

    /** Size and CRC-32C of a file. */
    public record FileDigest(long bytes, String crc32c) {
    }
}
