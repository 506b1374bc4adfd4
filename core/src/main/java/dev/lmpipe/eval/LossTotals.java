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

    public LossTotals merge(LossTotals other) {
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

    public int vocabularySize() {
        return natsByToken.length;
    }
}
