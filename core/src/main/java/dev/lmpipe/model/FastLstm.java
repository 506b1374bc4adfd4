package dev.lmpipe.model;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.lang.reflect.Modifier;
import java.util.Collection;

/**
 * DL4J's LSTM layer (same parameters, same gates, same checkpoints) whose training pass runs
 * {@link FastLstmLayer}: DL4J's own implementation issues about thirty native calls per time step, each costing
 * tens of microseconds, and computes the forward pass twice per minibatch; that, not arithmetic, was most of a
 * training step (bench/RESULTS.md). Everything else (stepping for generation, truncated BPTT, masks) is DL4J's.
 * A subclass rather than a new layer so that a model built with it is, parameter for parameter, a DL4J LSTM;
 * Jackson restores it by class name on executors and from checkpoints.
 */
public class FastLstm extends LSTM {
    /** Threads one training pass of this layer may use (slices of the minibatch): a runtime setting, not the model. */
    private int threads = 1;

    /** For Jackson only. */
    public FastLstm() {
    }

    /** The same layer as {@code built}, every setting copied, trained by {@link FastLstmLayer}. */
    public static FastLstm of(LSTM built) {
        var fast = new FastLstm();
        // LSTM's only constructor that takes settings is private to its builder: copy every field instead.
        for (Class<?> type = LSTM.class; type != Object.class; type = type.getSuperclass()) {
            for (var field : type.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers())) {
                    continue;
                }
                field.setAccessible(true);
                try {
                    field.set(fast, field.get(built));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException("cannot copy LSTM setting " + field.getName(), e);
                }
            }
        }
        return fast;
    }

    public int getThreads() {
        return threads;
    }

    /** Threads for the slices of a minibatch ({@link MinibatchParts}); results do not depend on it beyond rounding. */
    public void setThreads(int threads) {
        this.threads = MinibatchParts.checkThreads(threads);
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> trainingListeners,
                             int layerIndex, INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
        var layer = new FastLstmLayer(conf, networkDataType);
        layer.setListeners(trainingListeners);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(layerParamsView);
        layer.setParamTable(initializer().init(conf, layerParamsView, initializeParams));
        layer.setConf(conf);
        return layer;
    }
}
