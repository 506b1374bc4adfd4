package dev.lmpipe.generate;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Arrays;
import java.util.Optional;

/**
 * A model that sees a fixed window of the last {@code window} tokens (the transformer, the MLP) as a
 * {@link LanguageModel}: the state is the window's tokens. Longer contexts are truncated from the left; a
 * shorter one is padded on the right, which changes nothing for a causal model: the distribution is read at
 * the last real position, and no position attends to later ones.
 */
public final class WindowedModel implements LanguageModel<WindowedModel.Context> {
    private final MultiLayerNetwork network;
    private final int window;
    /** The GPT's window without SameDiff's executor; empty for other networks (the MLP). */
    private final Optional<TransformerWindow> transformer;

    public WindowedModel(MultiLayerNetwork network, int window) {
        this.network = network;
        this.window = window;
        this.transformer = TransformerWindow.of(network);
    }

    /** The last tokens (at most the window) and the distribution of the next one. */
    public record Context(int[] tokens, float[] next) implements LanguageModel.State {
    }

    @Override
    public Context start(int[] prompt) {
        int[] tokens = prompt.length > window ? Arrays.copyOfRange(prompt, prompt.length - window, prompt.length) : prompt.clone();
        return new Context(tokens, distributionAfter(tokens));
    }

    @Override
    public Context advance(Context state, int token) {
        int[] tokens = Arrays.copyOf(state.tokens(), state.tokens().length + 1);
        tokens[tokens.length - 1] = token;
        return start(tokens);
    }

    private float[] distributionAfter(int[] tokens) {
        if (transformer.isPresent()) {
            return transformer.get().distributionAfter(tokens);
        }
        float[] values = new float[window];
        for (int i = 0; i < tokens.length; i++) {
            values[i] = tokens[i];
        }
        INDArray output = network.output(Nd4j.create(values, new long[]{1, 1, window}, 'c'), false);
        return output.get(NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.point(tokens.length - 1)).dup().toFloatVector();
    }
}
