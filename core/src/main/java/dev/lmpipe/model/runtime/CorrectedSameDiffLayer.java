package dev.lmpipe.model.runtime;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/**
 * DL4J's runtime {@code SameDiffLayer} with its gradients halved where M2.1 doubles them.
 *
 * <p>In DL4J 1.0.0-M2.1 the gradient arriving at a {@code SameDiffLayer}'s output is counted twice:
 * {@code ExternalErrorsFunction.doDiff} registers the external-gradient placeholder as the output's gradient, and
 * {@code DifferentialFunction.diff} then adds the same placeholder to it again, so the gradient graph starts from
 * {@code add(out-grad, out-grad)}. Every parameter gradient and the gradient passed to the layer below come out
 * exactly 2× too large, and 2^k× below k such layers (a finite-difference gradient check shows relative errors
 * of exactly 1/3, 3/5, 7/9). Adam mostly hides it; gradient clipping, L2 and plain SGD do not.
 *
 * <p>The correction looks for exactly that {@code add(x, x)} in the gradient graph, so a DL4J without the bug
 * gets no correction. Halving is exact in binary floating point: the result is bit for bit the correct gradient.
 */
public class CorrectedSameDiffLayer extends org.deeplearning4j.nn.layers.samediff.SameDiffLayer {
    /** Null until the gradient graph exists. */
    private Boolean externalGradientDoubled;

    CorrectedSameDiffLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /** What {@code SameDiffLayer.instantiate} (configuration side) does, with this class instead. */
    public static CorrectedSameDiffLayer create(NeuralNetConfiguration conf, int layerIndex, INDArray paramsView,
                                         boolean initializeParams, DataType dataType) {
        return setUp(new CorrectedSameDiffLayer(conf, dataType), conf, layerIndex, paramsView, initializeParams);
    }

    /** Index, parameters and configuration, as DL4J's {@code instantiate} sets them on a new runtime layer. */
    static <L extends CorrectedSameDiffLayer> L setUp(L layer, NeuralNetConfiguration conf, int layerIndex,
                                                      INDArray paramsView, boolean initializeParams) {
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(paramsView);
        SameDiffLayer configuration = (SameDiffLayer) conf.getLayer();
        layer.setParamTable(configuration.initializer().init(conf, paramsView, initializeParams));
        layer.setConf(conf);
        return layer;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        Pair<Gradient, INDArray> result = super.backpropGradient(epsilon, workspaceMgr);
        if (externalGradientDoubled == null) {
            externalGradientDoubled = countsExternalGradientTwice();
        }
        if (externalGradientDoubled) {
            // In place: these are DL4J's gradient views and a fresh copy of the input gradient.
            for (INDArray gradient : result.getFirst().gradientForVariable().values()) {
                gradient.muli(0.5);
            }
            result.getSecond().muli(0.5);
        }
        return result;
    }

    /** True if the gradient graph computes the output's gradient as {@code add(placeholder, placeholder)}. */
    private boolean countsExternalGradientTwice() {
        SameDiff gradientGraph = sameDiff.getFunction("grad");
        SDVariable outputGradient = gradientGraph.getVariable(outputKey).getGradient();
        DifferentialFunction producer = gradientGraph.getVariableOutputOp(outputGradient.name());
        String placeholder = fn.getGradPlaceholderName();
        return producer != null && "add".equals(producer.opName())
                && Arrays.equals(gradientGraph.getInputsForOp(producer), new String[] {placeholder, placeholder});
    }
}
