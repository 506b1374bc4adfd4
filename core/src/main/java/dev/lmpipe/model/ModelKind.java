package dev.lmpipe.model;

import java.util.List;

/** The architectures lmpipe trains; each turns the {@code model.*} settings into its specification. */
public enum ModelKind {
    lstm("embedding", "hidden", "layers", "dropout") {
        @Override
        ModelSpec spec(ModelConfig c) {
            return new LstmSpec(c.embedding(), c.hidden(), c.layers(), c.dropout());
        }
    },
    transformer("embedding", "layers", "heads", "block", "dropout") {
        @Override
        ModelSpec spec(ModelConfig c) {
            return new TransformerSpec(c.embedding(), c.layers(), c.heads(), c.block(), c.dropout());
        }
    },
    mlp("embedding", "context", "hidden", "dropout", "block") {
        @Override
        ModelSpec spec(ModelConfig c) {
            return new MlpSpec(c.embedding(), c.context(), c.hidden(), c.dropout(), c.block());
        }
    };

    private final List<String> settings;

    ModelKind(String... settings) {
        this.settings = List.of(settings);
    }

    /** The {@code model.*} settings this kind reads (without the prefix); the others do not apply to it. */
    public List<String> settings() {
        return settings;
    }

    abstract ModelSpec spec(ModelConfig config);
}
