package dev.lmpipe.model;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.util.OptionalInt;

/** An architecture with its sizes; builds an initialised network for a vocabulary. */
public sealed interface ModelSpec permits LstmSpec, TransformerSpec, MlpSpec {
    MultiLayerNetwork build(int vocabularySize, Optimization optimization);

    /**
     * How the model reads context when generating: empty for a recurrent model, which carries its state
     * from one character to the next; otherwise the fixed window of characters it reads at once.
     */
    OptionalInt window();

    /**
     * Whether a training pass slices its minibatch across threads ({@link Networks#useThreads}): true for the models
     * whose heavy layers lmpipe writes itself (LSTM, transformer); DL4J's own layers (the MLP's) run on one thread.
     */
    default boolean slicesMinibatches() {
        return true;
    }

    /** Fails naming the settings if the model cannot train on windows of {@code seqLen} characters. */
    default void checkSeqLen(int seqLen) {
    }

    /** Fails naming the setting if the model cannot train in this JVM (its backend and code path), before a run starts. */
    default void checkTrainable() {
    }
}
