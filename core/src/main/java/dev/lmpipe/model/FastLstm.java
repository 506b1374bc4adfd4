package dev.lmpipe.model;

import dev.lmpipe.model.runtime.FastLstmLayer;
import dev.lmpipe.model.runtime.LayerSettings;
import dev.lmpipe.model.runtime.MinibatchParts;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/**
 * DL4J's LSTM layer (same parameters, same gates, same checkpoints) whose training pass runs
 * {@link FastLstmLayer}: DL4J's own implementation issues about thirty native calls per time step, each costing
 * tens of microseconds, and computes the forward pass twice per minibatch; that, not arithmetic, was most of a
 * training step (bench/archive/RESULTS-2026-11.md). Everything else (stepping for generation, truncated BPTT, masks) is DL4J's.
 * A subclass rather than a new layer so that a model built with it is, parameter for parameter, a DL4J LSTM;
 * Jackson restores it by class name on executors and from checkpoints.
 */
public class FastLstm extends LSTM implements SlicesMinibatches {
    /** Threads one training pass of this layer may use (slices of the minibatch): a runtime setting, not the model. */
    private int threads = 1;

    /** For Jackson only. */
    public FastLstm() {
    }

    /** The same layer as {@code built}, every setting copied, trained by {@link FastLstmLayer}. */
    public static FastLstm of(LSTM built) {
        // LSTM's only constructor that takes settings is private to its builder: copy every field instead.
        return LayerSettings.copy(LSTM.class, built, new FastLstm());
    }

    @Override
    public int getThreads() {
        return threads;
    }

    @Override
    public void setThreads(int threads) {
        this.threads = MinibatchParts.checkThreads(threads);
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> trainingListeners,
                             int layerIndex, INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
        return LayerSettings.setUp(new FastLstmLayer(conf, networkDataType), conf, trainingListeners, layerIndex,
                layerParamsView, initializer().init(conf, layerParamsView, initializeParams));
    }
}
