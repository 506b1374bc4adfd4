package dev.lmpipe.model;

/** The architectures lmpipe trains; each turns the {@code model.*} settings into its specification. */
public enum ModelKind {
    lstm {
        @Override
        ModelSpec spec(ModelConfig c) {
            return new LstmSpec(c.embedding(), c.hidden(), c.layers(), c.dropout());
        }
    },
    transformer {
        @Override
        ModelSpec spec(ModelConfig c) {
            return new TransformerSpec(c.embedding(), c.layers(), c.heads(), c.block(), c.dropout());
        }
    },
    mlp {
        @Override
        ModelSpec spec(ModelConfig c) {
            return new MlpSpec(c.embedding(), c.context(), c.hidden(), c.dropout(), c.block());
        }
    };

    abstract ModelSpec spec(ModelConfig config);
}
