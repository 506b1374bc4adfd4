package dev.lmpipe.model;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/** An architecture with its sizes; builds an initialised network for a vocabulary. */
public sealed interface ModelSpec permits LstmSpec {
    MultiLayerNetwork build(int vocabularySize, Optimization optimization);
}
