package dev.lmpipe.train;

/**
 * One line of {@code rounds.jsonl}, written after every averaging round.
 *
 * @param epoch               the epoch the round belongs to
 * @param round               rounds since the run started (resumes included)
 * @param trainedCharacters   characters trained on since the run started
 * @param loss                the workers' mean training loss in the round, nats per character
 * @param seconds             seconds since this training process started
 * @param charactersPerSecond characters per second over the round
 * @param learningRate        Adam's rate for the round's first step (the schedule's, or the constant one); null in
 *                            the lines of runs trained before it was recorded
 */
public record RoundLine(int epoch, long round, long trainedCharacters, double loss, double seconds,
                        double charactersPerSecond, Double learningRate) {
}
