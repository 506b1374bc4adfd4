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
    public static final ModelConfig DEFAULTS = new ModelConfig(ModelKind.lstm, 64, 256, 1, 0.0, 4, 64, 5);

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
