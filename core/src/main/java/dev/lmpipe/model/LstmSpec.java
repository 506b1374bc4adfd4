package dev.lmpipe.model;

import dev.lmpipe.config.Checks;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.util.OptionalInt;

/**
 * Character LSTM: embedding → {@code layers} stacked LSTMs of {@code hidden} units → softmax over the
 * vocabulary. {@code dropout} is the probability of dropping an activation between layers (0 disables it).
 */
public record LstmSpec(int embedding, int hidden, int layers, double dropout) implements ModelSpec {
    public LstmSpec {
        Checks.positive("model.embedding", embedding);
        Checks.positive("model.hidden", hidden);
        Checks.positive("model.layers", layers);
        Checks.within("model.dropout", dropout, 0.0, 1.0);
    }

    @Override
    public MultiLayerNetwork build(int vocabularySize, Optimization optimization) {
        return Networks.lstm(this, vocabularySize, optimization);
    }

    /** Recurrent: generation carries the state, no window. */
    @Override
    public OptionalInt window() {
        return OptionalInt.empty();
    }
}
