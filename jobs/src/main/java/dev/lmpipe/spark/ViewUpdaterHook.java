package dev.lmpipe.spark;

import dev.lmpipe.model.runtime.ViewUpdater;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * Gives the network a DL4J Spark worker makes from the broadcast parameters lmpipe's {@link ViewUpdater} before it
 * fits its first minibatch: the worker builds a plain {@code MultiLayerUpdater} for each round's network.
 */
final class ViewUpdaterHook extends MinibatchHook {
    private static final long serialVersionUID = 1L;

    @Override
    void beforeMinibatch(MultiLayerNetwork network) {
        ViewUpdater.install(network);
    }
}
