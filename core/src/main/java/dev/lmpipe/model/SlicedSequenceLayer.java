package dev.lmpipe.model;

import dev.lmpipe.model.runtime.MinibatchParts;

/**
 * A {@link SequenceLayer} whose written-out training pass cuts the minibatch into slices on threads: the transformer
 * block and the final LayerNorm. The thread count is a runtime setting kept with the configuration (JSON property
 * {@code threads}, 1 when absent), not part of the model.
 */
public abstract class SlicedSequenceLayer extends SequenceLayer implements SlicesMinibatches {
    /** Threads one training pass of this layer may use (slices of the minibatch). */
    private int threads = 1;

    /** For Jackson only: the fields are then set through the setters. */
    protected SlicedSequenceLayer() {
    }

    protected SlicedSequenceLayer(int width, int block) {
        super(width, block);
    }

    @Override
    public int getThreads() {
        return threads;
    }

    @Override
    public void setThreads(int threads) {
        this.threads = MinibatchParts.checkThreads(threads);
    }
}
