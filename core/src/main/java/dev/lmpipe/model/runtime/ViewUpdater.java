package dev.lmpipe.model.runtime;

import dev.lmpipe.model.FastAdam;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.MultiLayerUpdater;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's updater for a {@link MultiLayerNetwork}, told that the gradient it is given is the network's own. DL4J M2.1
 * decides that by object identity ({@code gradient.gradient() != getFlattenedGradientsView()}), but
 * {@code DefaultGradient.gradient()} returns a new reshaped view at every call, so every step of every network took
 * the path for a gradient computed elsewhere: for each parameter array, twice a step, new views of the whole
 * network's parameters and gradient cut into ranges, and the minibatch division's ranges made anew: 2.3% of the
 * main thread's samples in a 2-thread GPT step, on one core while the other waited (bench/serial_time.sh,
 * bench/archive/RESULTS-2026-11.md); the fit ran about 4% faster without it (bench/PlainFit.java). This class hands DL4J a
 * gradient whose {@code gradient()} is the view itself when it is the same memory, so the update takes DL4J's
 * standard path with the views it made once; the arithmetic is the same ({@code ViewUpdaterTest}).
 *
 * <p>It also clips the whole network's gradient to a global L2 norm when the network's {@link FastAdam} asks for
 * it, as PyTorch's {@code clip_grad_norm_} does; DL4J's own clipping is per layer only. Where every parameter's
 * update allows, the whole update runs fused on all threads ({@link FusedAdamUpdate}) instead of as DL4J's ops.
 */
public final class ViewUpdater extends MultiLayerUpdater {
    private long viewUpdates;
    private long fusedUpdates;
    // Made at the first update of the network's own gradient, when DL4J has made its updater blocks; null: DL4J's path.
    private FusedAdamUpdate fused;
    private boolean fusedDecided;

    private ViewUpdater(MultiLayerNetwork network, INDArray state) {
        super(network, state);
    }

    /**
     * Gives {@code network} this updater, with the state of the one it has (Adam's moments go on); does nothing if it
     * already has one. For every network that trains: those lmpipe builds and those DL4J's Spark workers make
     * from the broadcast parameters.
     */
    public static void install(MultiLayerNetwork network) {
        var current = network.getUpdater();
        if (!(current instanceof ViewUpdater)) {
            network.setUpdater(new ViewUpdater(network, current.getStateViewArray()));
        }
    }

    @Override
    public synchronized void update(Gradient gradient, int iteration, int epoch, int batchSize,
                                    LayerWorkspaceMgr workspaceMgr) {
        INDArray view = getFlattenedGradientsView();
        INDArray given = gradient.gradient();
        if (given != view && sameMemory(given, view)) {
            var own = new DefaultGradient(view) {
                @Override
                public INDArray gradient() {
                    return view;
                }
            };
            gradient.gradientForVariable().forEach(own::setGradientFor);
            gradient = own;
            viewUpdates++;
        }
        double limit = globalClip();
        // DL4J divides the summed gradient by the minibatch's size after clipping; the limit is per example.
        double summedLimit = limit * (isMiniBatch() ? batchSize : 1);
        if (gradient.gradient() == view) {
            if (!fusedDecided) {
                fused = FusedAdamUpdate.of(updaterBlocks, view.length());
                fusedDecided = true;
            }
            if (fused != null) {
                fused.apply(view, getParams(), iteration, epoch, isMiniBatch() ? batchSize : 1, summedLimit);
                fusedUpdates++;
                return;
            }
        }
        if (limit > 0) {
            clip(gradient.gradient(), summedLimit);
        }
        super.update(gradient, iteration, epoch, batchSize, workspaceMgr);
    }

    /** Scales {@code gradient} down to L2 norm {@code limit} if its norm is larger. */
    private static void clip(INDArray gradient, double limit) {
        double norm = FusedAdamUpdate.norm(gradient);
        if (norm > limit) {
            gradient.muli(limit / norm);
        }
    }

    /** The global-norm clipping limit of the network's updater configuration; 0: none. */
    private double globalClip() {
        for (var block : updaterBlocks) {
            if (block.getGradientUpdater() != null && block.getGradientUpdater().getConfig() instanceof FastAdam adam) {
                return adam.getGlobalClip();
            }
        }
        return 0;
    }

    /** Updates that took DL4J's path for the network's own gradient view. */
    long viewUpdates() {
        return viewUpdates;
    }

    /** From the next update on, DL4J's ops instead of {@link FusedAdamUpdate}: for comparisons. */
    void unfuse() {
        fused = null;
        fusedDecided = true;
    }

    /** Updates done by {@link FusedAdamUpdate}. */
    long fusedUpdates() {
        return fusedUpdates;
    }

    /** Whether the two arrays are the same floats: same memory, offset, length and type, both contiguous. */
    static boolean sameMemory(INDArray a, INDArray b) {
        return a.dataType() == b.dataType() && a.length() == b.length() && a.offset() == b.offset()
                && a.data().address() == b.data().address() && a.isVectorOrScalar() && b.isVectorOrScalar()
                && a.elementWiseStride() == 1 && b.elementWiseStride() == 1;
    }
}
