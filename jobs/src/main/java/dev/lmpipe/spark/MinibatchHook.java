package dev.lmpipe.spark;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.TrainingHook;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * A dl4j-spark {@link TrainingHook} that acts on a worker's network before each minibatch it fits, on the thread
 * that fits it: the one place dl4j-spark lets lmpipe reach the network a worker builds each round.
 */
abstract class MinibatchHook implements TrainingHook {
    private static final long serialVersionUID = 1L;

    /** Called before the worker fits a minibatch. */
    abstract void beforeMinibatch(MultiLayerNetwork network);

    @Override
    public final void preUpdate(DataSet minibatch, Model model) {
        if (model instanceof MultiLayerNetwork network) {
            beforeMinibatch(network);
        }
    }

    @Override
    public final void preUpdate(MultiDataSet minibatch, Model model) {
        preUpdate((DataSet) null, model);
    }

    @Override
    public final void postUpdate(DataSet minibatch, Model model) {
    }

    @Override
    public final void postUpdate(MultiDataSet minibatch, Model model) {
    }
}
