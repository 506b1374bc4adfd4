package dev.lmpipe.model;

import dev.lmpipe.model.runtime.FastEmbeddingSequenceLayer;
import dev.lmpipe.model.runtime.LayerSettings;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/**
 * DL4J's EmbeddingSequenceLayer (same parameters, same checkpoints) whose backward pass is
 * {@link FastEmbeddingSequenceLayer}'s: DL4J's looks the rows up again, copies the gradient twice and adds it into the
 * table with ND4J's scatter op, about 3 ms a GPT step on one thread (bench/archive/RESULTS-2026-11.md).
 */
public class FastEmbeddingSequence extends EmbeddingSequenceLayer {
    /** For Jackson only. */
    public FastEmbeddingSequence() {
    }

    /** The same layer as {@code built}, every setting copied. */
    public static FastEmbeddingSequence of(EmbeddingSequenceLayer built) {
        return LayerSettings.copy(EmbeddingSequenceLayer.class, built, new FastEmbeddingSequence());
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> trainingListeners,
                             int layerIndex, INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
        return LayerSettings.setUp(new FastEmbeddingSequenceLayer(conf, networkDataType), conf, trainingListeners,
                layerIndex, layerParamsView, initializer().init(conf, layerParamsView, initializeParams));
    }
}
