package dev.lmpipe.model;

import dev.lmpipe.model.runtime.CorrectedSameDiffLayer;
import dev.lmpipe.model.runtime.FastLayerNormLayer;

import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.InputTypeUtil;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;
import java.util.Map;
import java.util.Objects;

/**
 * LayerNorm over the features of every position of an NCW sequence {@code [minibatch, width, T]}, with a
 * learned gain and bias: the transformer's final norm before the output layer. DL4J has no such layer for a
 * MultiLayerNetwork. Like the other SameDiff layers it needs T == {@code block} and runs as a
 * {@link CorrectedSameDiffLayer}; its fields have getters, setters and a no-arg constructor for Jackson.
 */
public class LayerNorm extends SlicedSequenceLayer {
    public static final String GAIN = "g";
    public static final String BIAS = "b";


    /** For Jackson only. */
    public LayerNorm() {
    }

    public LayerNorm(int width, int block) {
        super(width, block);
    }

    /** {@link FastLayerNormLayer}: written out for float networks on the CPU, the SameDiff graph below otherwise. */
    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                       Collection<TrainingListener> trainingListeners, int layerIndex,
                                                       INDArray layerParamsView, boolean initializeParams,
                                                       DataType networkDataType) {
        return FastLayerNormLayer.create(conf, layerIndex, layerParamsView, initializeParams, networkDataType);
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        params.clear();
        // "Bias" parameters in DL4J's sense, so that weight decay leaves them alone.
        params.addBiasParam(GAIN, width);
        params.addBiasParam(BIAS, width);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        params.get(GAIN).assign(1.0);
        params.get(BIAS).assign(0.0);
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable layerInput, Map<String, SDVariable> params, SDVariable mask) {
        SDVariable x = sd.permute(layerInput, 0, 2, 1);                                  // [mb, T, d]
        SDVariable normed = sd.nn.layerNorm(x, params.get(GAIN), params.get(BIAS), false, 2);
        return sd.permute(normed, 0, 2, 1);                                              // [mb, d, T]
    }
}
