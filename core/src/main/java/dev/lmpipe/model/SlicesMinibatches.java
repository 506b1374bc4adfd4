package dev.lmpipe.model;

import dev.lmpipe.model.runtime.MinibatchParts;

/**
 * A layer configuration whose training pass may cut the minibatch into slices, one per thread ({@link MinibatchParts}):
 * the LSTM, the transformer block, the final LayerNorm, the output layer, and the GPT's dropout after its embeddings
 * ({@link SequenceDropout}, the configuration of a {@code DropoutLayer}). The thread count is a runtime setting
 * kept in the configuration, so that it reaches Spark's workers with the network ({@link Networks#useThreads}); it
 * changes no result beyond float rounding and is not part of the model.
 */
public interface SlicesMinibatches {
    int getThreads();

    /** Threads for the slices of a minibatch; at least 1 ({@link MinibatchParts#checkThreads}). */
    void setThreads(int threads);
}
