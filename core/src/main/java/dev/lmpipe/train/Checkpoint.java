package dev.lmpipe.train;

import dev.lmpipe.model.ModelSpec;
import dev.lmpipe.text.Vocabulary;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/** A loaded checkpoint: the network (with its updater state), its vocabulary, its state, and where it was. */
public record Checkpoint(String path, MultiLayerNetwork network, Vocabulary vocabulary, TrainingState state) {
    /** The architecture the network was built from. */
    public ModelSpec spec() {
        return state.config().model().spec();
    }
}
