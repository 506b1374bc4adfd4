package dev.lmpipe.train;

/**
 * One line of {@code metrics.jsonl}, written after every evaluation: at the end of each epoch, and within epochs
 * every {@code eval.everyCharacters} or when a budget stops training. Losses are in nats per character.
 *
 * @param epoch          the epoch completed, or the one in progress for an evaluation within it
 * @param trainLoss      mean of the averaging rounds' training losses in the epoch so far (model in training mode)
 * @param validationLoss loss summed over the validation sample's characters divided by their count
 */
public record MetricsLine(int epoch, long step, long rounds, long trainedCharacters, double trainLoss,
                          double validationLoss, double validationBitsPerCharacter, double validationPerplexity,
                          double epochSeconds, double charactersPerSecond, boolean best, String checkpoint,
                          String time) {
}
