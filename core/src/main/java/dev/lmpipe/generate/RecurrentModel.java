package dev.lmpipe.generate;

import org.deeplearning4j.nn.api.layers.RecurrentLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.Map;

/**
 * A recurrent DL4J network as a {@link LanguageModel}: the state is each layer's recurrent state (copied, so
 * states can branch) plus the next-token distribution. The prompt is read in one {@code rnnTimeStep} call;
 * every further token is one step with the state carried.
 */
public final class RecurrentModel implements LanguageModel<RecurrentModel.Step> {
    private final MultiLayerNetwork network;

    public RecurrentModel(MultiLayerNetwork network) {
        this.network = network;
    }

    /** Recurrent state of every layer after some tokens, and the distribution of the next one. */
    public record Step(Map<Integer, Map<String, INDArray>> layers, float[] next) implements LanguageModel.State {
    }

    @Override
    public Step start(int[] prompt) {
        network.rnnClearPreviousState();
        return step(prompt);
    }

    @Override
    public Step advance(Step state, int token) {
        for (var layer : state.layers().entrySet()) {
            network.rnnSetPreviousState(layer.getKey(), copy(layer.getValue()));
        }
        return step(new int[]{token});
    }

    private Step step(int[] tokens) {
        float[] values = new float[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            values[i] = tokens[i];
        }
        INDArray output = network.rnnTimeStep(Nd4j.create(values, new long[]{1, 1, tokens.length}, 'c'));
        // Element by element: a view, a copy and a conversion cost three native calls per generated token.
        float[] next = new float[(int) output.size(1)];
        long last = output.size(2) - 1;
        for (int v = 0; v < next.length; v++) {
            next[v] = output.getFloat(0L, v, last);
        }
        // The layers' new state arrays need no copy: every later step starts from copies (advance), so no layer
        // ever changes these.
        var layers = new HashMap<Integer, Map<String, INDArray>>();
        for (int i = 0; i < network.getnLayers(); i++) {
            if (network.getLayer(i) instanceof RecurrentLayer) {
                layers.put(i, network.rnnGetPreviousState(i));
            }
        }
        return new Step(layers, next);
    }

    private static Map<String, INDArray> copy(Map<String, INDArray> state) {
        var copy = new HashMap<String, INDArray>();
        state.forEach((key, value) -> copy.put(key, value.dup()));
        return copy;
    }
}
