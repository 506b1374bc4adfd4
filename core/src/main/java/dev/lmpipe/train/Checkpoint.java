package dev.lmpipe.train;

import dev.lmpipe.model.ModelSpec;
import dev.lmpipe.text.Vocabulary;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * A loaded checkpoint: the network (with its updater state), its vocabulary, its state, where it was, and the outer
 * optimizer's momentum ({@link OuterOptimizer#momentum()}; null when the run has none).
 */
public record Checkpoint(String path, MultiLayerNetwork network, Vocabulary vocabulary, TrainingState state,
                         float[] outerMomentum) {
    /** The architecture the network was built from. */
    public ModelSpec spec() {
        return state.config().model().spec();
    }
}
