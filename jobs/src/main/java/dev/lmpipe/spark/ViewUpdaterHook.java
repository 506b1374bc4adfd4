package dev.lmpipe.spark;

import dev.lmpipe.model.runtime.ViewUpdater;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.TrainingHook;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Gives the network a DL4J Spark worker makes from the broadcast parameters lmpipe's {@link ViewUpdater} before it
 * fits its first minibatch: the worker builds a plain {@code MultiLayerUpdater} for each round's network, and a hook
 * is the one place dl4j-spark lets us reach that network before it trains.
 */
final class ViewUpdaterHook implements TrainingHook {
    private static final long serialVersionUID = 1L;

    @Override
    public void preUpdate(DataSet minibatch, Model model) {
        if (model instanceof MultiLayerNetwork network) {
            ViewUpdater.install(network);
        }
    }

    @Override
    public void postUpdate(DataSet minibatch, Model model) {
    }

    @Override
    public void preUpdate(MultiDataSet minibatch, Model model) {
        preUpdate((DataSet) null, model);
    }

    @Override
    public void postUpdate(MultiDataSet minibatch, Model model) {
    }
}
