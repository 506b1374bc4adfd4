package dev.lmpipe.eval;

import java.io.Serializable;

/**
 * Summed negative log-likelihood, in nats, over predicted characters, in total and per target token id.
 * Mergeable, so that executors sum their parts and the driver adds them up.
 */
public final class LossTotals implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final double LN2 = Math.log(2);

    private double nats;
    private long characters;
    private final double[] natsByToken;
    private final long[] charactersByToken;
    /** By position in the evaluation window (0: predicted from one character of context); grows as needed. */
    private double[] natsByPosition = new double[0];
    private long[] charactersByPosition = new long[0];

    public LossTotals(int vocabularySize) {
        natsByToken = new double[vocabularySize];
        charactersByToken = new long[vocabularySize];
    }

    public void add(int token, double loss) {
        nats += loss;
        characters++;
        natsByToken[token] += loss;
        charactersByToken[token]++;
    }

    /** Adds the loss of predicting {@code token} at {@code position} of its window. */
    public void add(int token, int position, double loss) {
        add(token, loss);
        growPositions(position + 1);
        natsByPosition[position] += loss;
        charactersByPosition[position]++;
    }

    private void growPositions(int length) {
        if (length > natsByPosition.length) {
            natsByPosition = java.util.Arrays.copyOf(natsByPosition, length);
            charactersByPosition = java.util.Arrays.copyOf(charactersByPosition, length);
        }
    }

    public LossTotals merge(LossTotals other) {
        growPositions(other.natsByPosition.length);
        for (int i = 0; i < other.natsByPosition.length; i++) {
            natsByPosition[i] += other.natsByPosition[i];
            charactersByPosition[i] += other.charactersByPosition[i];
        }
        nats += other.nats;
        characters += other.characters;
        for (int i = 0; i < natsByToken.length; i++) {
            natsByToken[i] += other.natsByToken[i];
            charactersByToken[i] += other.charactersByToken[i];
        }
        return this;
    }

    public long characters() {
        return characters;
    }

    public double totalNats() {
        return nats;
    }

    public double natsPerCharacter() {
        return nats / characters;
    }

    public double bitsPerCharacter() {
        return natsPerCharacter() / LN2;
    }

    public double perplexity() {
        return Math.exp(natsPerCharacter());
    }

    public long characters(int token) {
        return charactersByToken[token];
    }

    public double natsPerCharacter(int token) {
        return natsByToken[token] / charactersByToken[token];
    }

    /** Mean loss at each window position, nats per character (NaN where nothing was predicted). */
    public double[] natsPerCharacterByPosition() {
        double[] mean = new double[natsByPosition.length];
        for (int i = 0; i < mean.length; i++) {
            mean[i] = natsByPosition[i] / charactersByPosition[i];
        }
        return mean;
    }

    public int vocabularySize() {
        return natsByToken.length;
    }
}
