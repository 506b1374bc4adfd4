package dev.lmpipe.model;

import dev.lmpipe.LmpipeException;

import java.util.List;

/**
 * The {@code model.*} settings of a training configuration. {@code kind} picks the architecture; each uses
 * the sizes it needs:
 * <ul>
 *   <li>{@code lstm}: embedding, hidden, layers, dropout</li>
 *   <li>{@code transformer}: embedding (the width), layers, heads, block (window length), dropout</li>
 *   <li>{@code mlp}: embedding, context (characters seen), hidden, dropout, block (window when generating)</li>
 * </ul>
 */
public record ModelConfig(ModelKind kind, int embedding, int hidden, int layers, double dropout, int heads, int block,
                          int context) {
    // The default of every setting, one per line (NamedDefaultsTest holds DEFAULTS to these names).
    private static final ModelKind KIND = ModelKind.lstm;
    private static final int EMBEDDING = 64;      // embedding width; the transformer's width
    private static final int HIDDEN = 256;        // LSTM and MLP hidden units
    private static final int LAYERS = 1;          // LSTM layers or transformer blocks
    private static final double DROPOUT = 0.0;    // probability of dropping an activation
    private static final int HEADS = 4;           // transformer attention heads
    private static final int BLOCK = 64;          // transformer (and MLP generation) window, in characters
    private static final int CONTEXT = 5;         // MLP context, in characters

    public static final ModelConfig DEFAULTS = new ModelConfig(KIND, EMBEDDING, HIDDEN, LAYERS, DROPOUT, HEADS, BLOCK,
            CONTEXT);

    public ModelConfig {
        if (kind == null) {
            throw new LmpipeException("model.kind must be one of " + List.of(ModelKind.values()));
        }
    }

    /** The architecture's specification; validates the sizes it uses. */
    public ModelSpec spec() {
        return kind.spec(this);
    }
}
