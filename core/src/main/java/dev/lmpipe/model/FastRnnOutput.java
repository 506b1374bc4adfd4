package dev.lmpipe.model;

import dev.lmpipe.model.runtime.FastRnnOutputLayer;
import dev.lmpipe.model.runtime.LayerSettings;
import dev.lmpipe.model.runtime.MinibatchParts;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/**
 * DL4J's RnnOutputLayer (same parameters, same loss, same checkpoints) computed by {@link FastRnnOutputLayer}: DL4J's
 * own computes the logits twice per training step (once for the gradient, once for the score), copies its input and
 * gradients between [B, C, T] and rows [B·T, C] in both passes, all on one thread, while the layers below it run on
 * every core; that was about a tenth of an LSTM training step (bench/archive/RESULTS-2026-11.md, "output layer, embedding, LSTM steps and Adam written out").
 */
public class FastRnnOutput extends RnnOutputLayer implements SlicesMinibatches {
    /** Threads one pass of this layer may use (slices of the minibatch): a runtime setting, not the model. */
    private int threads = 1;

    /** For Jackson only. */
    public FastRnnOutput() {
    }

    /** The same layer as {@code built}, every setting copied, computed by {@link FastRnnOutputLayer}. */
    public static FastRnnOutput of(RnnOutputLayer built) {
        return LayerSettings.copy(RnnOutputLayer.class, built, new FastRnnOutput());
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
        LayerValidation.assertNInNOutSet("FastRnnOutput", getLayerName(), layerIndex, getNIn(), getNOut());
        return LayerSettings.setUp(new FastRnnOutputLayer(conf, networkDataType), conf, trainingListeners, layerIndex,
                layerParamsView, initializer().init(conf, layerParamsView, initializeParams));
    }
}
