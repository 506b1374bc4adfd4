package dev.lmpipe.spark;

import dev.lmpipe.model.Networks;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayDeque;

/**
 * The networks a JVM's Spark workers have finished a round with, kept for the next round of the same training instead
 * of building each round's network anew from the broadcast configuration: DL4J's worker builds every layer and its
 * updater and lmpipe's layers allocate their buffers afresh, every round, on every worker. A kept network takes the
 * round's parameters, Adam state, iteration and epoch counts and learning-rate schedule from the broadcast, which is all
 * that the driver changes between rounds; everything else in its configuration is fixed for the training.
 *
 * <p>One training at a time per JVM: a network of another training (another {@code training} key) is dropped, not
 * reused, so a JVM that trains again holds no more than the networks of its last training's concurrent workers.
 */
final class WorkerNetworks {
    private static String training;
    private static final ArrayDeque<MultiLayerNetwork> IDLE = new ArrayDeque<>();

    private WorkerNetworks() {
    }

    /** A network this JVM's workers kept from an earlier round of {@code key}'s training, or null. */
    static synchronized MultiLayerNetwork take(String key) {
        if (!key.equals(training)) {
            IDLE.clear();
            training = key;
        }
        return IDLE.pollFirst();
    }

    /** Networks kept now. */
    static synchronized int idle() {
        return IDLE.size();
    }

    /** Keeps {@code network}, which no task uses any more, for {@code key}'s next round. */
    static synchronized void give(String key, MultiLayerNetwork network) {
        if (key.equals(training)) {
            IDLE.addFirst(network);
        }
    }

    /**
     * Sets a kept network to a round's start: {@code parameters} and {@code updaterState} (copied in), and from
     * {@code configuration} the iteration and epoch counts and every Adam's learning rate and schedule. False if the
     * network does not fit the round (another number of parameters or layers): build one instead.
     */
    static boolean startRound(MultiLayerNetwork network, MultiLayerConfiguration configuration, INDArray parameters,
                              INDArray updaterState) {
        if (network.numParams() != parameters.length()
                || network.getLayerWiseConfigurations().getConfs().size() != configuration.getConfs().size()
                || (updaterState == null) != (network.getUpdater().getStateViewArray() == null)) {
            return false;
        }
        network.params().assign(parameters);
        if (updaterState != null) {
            network.getUpdater().getStateViewArray().assign(updaterState);
        }
        network.setIterationCount(configuration.getIterationCount());
        network.setEpochCount(configuration.getEpochCount());
        Networks.followLearningRates(network, configuration);
        // The layers' state of the last round's last minibatch; MultiLayerNetwork.clear() would also drop the solver,
        // and with it the updater whose state was just set.
        for (var layer : network.getLayers()) {
            layer.clear();
        }
        return true;
    }
}
