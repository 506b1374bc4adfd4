package dev.lmpipe.model;

import dev.lmpipe.LmpipeException;

/**
 * The {@code model.*} settings of a training configuration. {@code kind} picks the architecture; the other
 * fields are its sizes. Later architectures add their own fields here.
 */
public record ModelConfig(String kind, int embedding, int hidden, int layers, double dropout) {
    public static final ModelConfig DEFAULTS = new ModelConfig("lstm", 64, 256, 1, 0.0);

    public ModelConfig {
        if (!"lstm".equals(kind)) {
            throw new LmpipeException("model.kind must be one of [lstm], got '" + kind + "'");
        }
        spec(kind, embedding, hidden, layers, dropout);
    }

    public ModelSpec spec() {
        return spec(kind, embedding, hidden, layers, dropout);
    }

    private static ModelSpec spec(String kind, int embedding, int hidden, int layers, double dropout) {
        return new LstmSpec(embedding, hidden, layers, dropout);
    }
}
