package dev.lmpipe.train;

/**
 * One line of {@code metrics.jsonl}, written after every epoch. Losses are in nats per character.
 *
 * @param trainLoss      mean of the averaging rounds' training losses in the epoch (model in training mode)
 * @param validationLoss loss summed over every validation character divided by their count
 */
public record MetricsLine(int epoch, long step, long rounds, long trainedCharacters, double trainLoss,
                          double validationLoss, double validationBitsPerCharacter, double validationPerplexity,
                          double epochSeconds, double charactersPerSecond, boolean best, String checkpoint,
                          String time) {
}
