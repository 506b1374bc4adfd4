package dev.lmpipe.generate;

import org.bytedeco.javacpp.FloatPointer;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

import static org.bytedeco.openblas.global.openblas.CblasColMajor;
import static org.bytedeco.openblas.global.openblas.CblasTrans;
import static org.bytedeco.openblas.global.openblas.cblas_sgemv;

/**
 * DL4J's softmax output layer (W [in, V], b [V]) at one position, outside DL4J: one OpenBLAS product on a copy of
 * the weights, then the softmax in Java, in double. Shared by the generation paths that bypass DL4J's network.
 * Not thread-safe (scratch vectors), like the generator that owns it.
 */
final class SoftmaxOutput {
    private final int inputSize;
    private final FloatPointer weights;
    private final float[] bias;
    private final FloatPointer logits;
    private final float[] logitValues;

    SoftmaxOutput(Map<String, INDArray> params) {
        var weightParam = params.get(DefaultParamInitializer.WEIGHT_KEY);
        this.inputSize = (int) weightParam.size(0);
        this.weights = columnMajor(weightParam);
        this.bias = params.get(DefaultParamInitializer.BIAS_KEY).toFloatVector();
        this.logits = new FloatPointer(bias.length);
        this.logitValues = new float[bias.length];
    }

    /** Probabilities of the next token from the layer's input, {@code inputSize} floats at {@code input}. */
    float[] probabilities(FloatPointer input) {
        cblas_sgemv(CblasColMajor, CblasTrans, inputSize, bias.length, 1f, weights, inputSize, input, 1, 0f, logits, 1);
        logits.get(logitValues, 0, logitValues.length);
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < bias.length; v++) {
            max = Math.max(max, logitValues[v] + bias[v]);
        }
        double[] exp = new double[bias.length];
        double sum = 0;
        for (int v = 0; v < exp.length; v++) {
            exp[v] = Math.exp(logitValues[v] + bias[v] - max);
            sum += exp[v];
        }
        float[] probabilities = new float[exp.length];
        for (int v = 0; v < exp.length; v++) {
            probabilities[v] = (float) (exp[v] / sum);
        }
        return probabilities;
    }

    /** A copy of a DL4J parameter in native memory, column-major as DL4J keeps its weights. */
    static FloatPointer columnMajor(INDArray parameter) {
        return new FloatPointer(parameter.dup('f').data().asFloat());
    }
}
