package dev.lmpipe.model;

import dev.lmpipe.model.runtime.MinibatchParts;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.AdamUpdater;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;

import java.util.Map;

/**
 * Adam as DL4J configures it and ND4J's {@code adam_updater} op computes it, the parameters cut into ranges that are
 * updated on {@link #getThreads()} threads: DL4J applies it to all of a network's parameters in one op on one thread
 * (ND4J's own threads are held at one so they do not oversubscribe the cores with the layers' slices), about 5 ms of
 * a GPT step while the other core waited (bench/archive/RESULTS-2026-11.md). Element-wise, so every range gets exactly the update the
 * whole would. The thread count is a runtime setting, like the layers' ({@link Networks#useThreads}).
 *
 * <p>It also carries the limit of global-norm gradient clipping, which the network's
 * {@link dev.lmpipe.model.runtime.ViewUpdater} applies before the step: DL4J clips per layer only, and the updater's
 * configuration is what travels with the network to every Spark worker and into every checkpoint.
 */
public class FastAdam extends Adam {
    private int threads = 1;
    /** Limit on the L2 norm of the whole network's gradient per example; 0: none. */
    private double globalClip;

    /** For Jackson only. */
    public FastAdam() {
    }

    public FastAdam(double learningRate) {
        super(learningRate);
    }

    public int getThreads() {
        return threads;
    }

    public void setThreads(int threads) {
        this.threads = MinibatchParts.checkThreads(threads);
    }

    public double getGlobalClip() {
        return globalClip;
    }

    public void setGlobalClip(double globalClip) {
        this.globalClip = globalClip;
    }

    @Override
    public GradientUpdater instantiate(INDArray viewArray, boolean initializeViewArray) {
        var updater = new Ranges(this);
        var state = ((AdamUpdater) super.instantiate(viewArray, initializeViewArray)).getState();
        updater.setState(state, false);
        return updater;
    }

    @Override
    public GradientUpdater instantiate(Map<String, INDArray> updaterState, boolean initializeStateArrays) {
        var updater = new Ranges(this);
        updater.setState(updaterState, initializeStateArrays);
        return updater;
    }

    @Override
    public FastAdam clone() {
        var copy = new FastAdam(getLearningRate());
        copy.setLearningRateSchedule(getLearningRateSchedule() == null ? null : getLearningRateSchedule().clone());
        copy.setBeta1(getBeta1());
        copy.setBeta2(getBeta2());
        copy.setEpsilon(getEpsilon());
        copy.threads = threads;
        copy.globalClip = globalClip;
        return copy;
    }

    /** ND4J's AdamUpdater, applied range by range. */
    private static final class Ranges extends AdamUpdater {
        /** Fewer parameters than this per range are not worth a thread. */
        private static final int MIN_RANGE = 1 << 16;
        private final FastAdam config;

        Ranges(FastAdam config) {
            super(config);
            this.config = config;
        }

        @Override
        public void applyUpdater(INDArray gradient, int iteration, int epoch) {
            var state = getState();
            INDArray m = state.get(M_STATE);
            INDArray v = state.get(V_STATE);
            long length = gradient.length();
            int threads = (int) Math.min(config.getThreads(), length / MIN_RANGE);
            if (threads <= 1 || m.rank() != 1 || v.rank() != 1) {
                super.applyUpdater(gradient, iteration, epoch);
                return;
            }
            var flat = gradient.reshape(v.shape());
            double learningRate = config.getLearningRate(iteration, epoch);
            // Ranges of the parameter vector, cut as MinibatchParts cuts a minibatch's examples.
            var ranges = new MinibatchParts((int) length, threads);
            ranges.run(p -> {
                var range = NDArrayIndex.interval(ranges.from(p), ranges.to(p));
                Nd4j.exec(new org.nd4j.linalg.api.ops.impl.updaters.AdamUpdater(flat.get(range), v.get(range),
                        m.get(range), learningRate, config.getBeta1(), config.getBeta2(), config.getEpsilon(),
                        iteration));
            });
        }
    }
}
