package dev.lmpipe.generate;

import dev.lmpipe.model.kernel.Kernels;
import org.bytedeco.javacpp.FloatPointer;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.params.LSTMParamInitializer;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.bytedeco.openblas.global.openblas.CblasColMajor;
import static org.bytedeco.openblas.global.openblas.CblasTrans;
import static org.bytedeco.openblas.global.openblas.cblas_sgemv;

/**
 * The character LSTM (embedding, LSTM layers, softmax output) stepped for generation without DL4J: one token
 * is a few matrix-vector products in OpenBLAS on a copy of the parameters, the rest plain Java on small arrays.
 * Through {@code MultiLayerNetwork.rnnTimeStep} the same step costs some forty ND4J calls of tens of
 * microseconds each, and took five times as long. States are float arrays, so beam search branches for free.
 * Networks of any other shape use {@link RecurrentModel}; the two give the same distributions (tested).
 */
public final class LstmStepper implements LanguageModel<LstmStepper.Step> {
    private final float[][] embedding;
    private final float[] embeddingBias;
    private final List<Cell> cells;
    private final SoftmaxOutput output;
    /** The top layer's output, the output layer's input. */
    private final FloatPointer top;

    /** Recurrent state of every layer ({@code h} and {@code c}) and the next token's distribution. */
    public record Step(float[][] hidden, float[][] cells, float[] next) implements LanguageModel.State {
    }

    private LstmStepper(float[][] embedding, float[] embeddingBias, List<Cell> cells, SoftmaxOutput output) {
        this.embedding = embedding;
        this.embeddingBias = embeddingBias;
        this.cells = cells;
        this.output = output;
        this.top = new FloatPointer(cells.get(cells.size() - 1).hidden);
    }

    /** The stepper for an embedding → LSTM … → softmax network, or empty for any other network. */
    public static Optional<LstmStepper> of(MultiLayerNetwork network) {
        var confs = network.getLayerWiseConfigurations().getConfs();
        int last = confs.size() - 1;
        // OpenBLAS on host memory: the CPU backend only (a GPU build steps through DL4J).
        if (!Kernels.onHost() || confs.size() < 3 || !(confs.get(0).getLayer() instanceof EmbeddingSequenceLayer embeddingConf)
                || !(embeddingConf.getActivationFn() instanceof ActivationIdentity)
                || !(confs.get(last).getLayer() instanceof RnnOutputLayer outputConf)
                || !(outputConf.getActivationFn() instanceof ActivationSoftmax)) {
            return Optional.empty();
        }
        var cells = new ArrayList<Cell>();
        for (int i = 1; i < last; i++) {
            if (!(confs.get(i).getLayer() instanceof LSTM lstm) || !(lstm.getGateActivationFn() instanceof ActivationSigmoid)
                    || !(lstm.getActivationFn() instanceof ActivationTanH)) {
                return Optional.empty();
            }
            var params = network.getLayer(i).paramTable();
            cells.add(new Cell(params.get(LSTMParamInitializer.INPUT_WEIGHT_KEY),
                    params.get(LSTMParamInitializer.RECURRENT_WEIGHT_KEY), params.get(LSTMParamInitializer.BIAS_KEY)));
        }
        var embeddingParams = network.getLayer(0).paramTable();
        var embeddingBias = embeddingParams.get(DefaultParamInitializer.BIAS_KEY);
        return Optional.of(new LstmStepper(
                embeddingParams.get(DefaultParamInitializer.WEIGHT_KEY).toFloatMatrix(),
                embeddingBias == null ? new float[(int) embeddingConf.getNOut()] : embeddingBias.toFloatVector(),
                cells, new SoftmaxOutput(network.getLayer(last).paramTable())));
    }

    @Override
    public Step start(int[] prompt) {
        var hidden = new float[cells.size()][];
        var cellStates = new float[cells.size()][];
        for (int layer = 0; layer < cells.size(); layer++) {
            hidden[layer] = new float[cells.get(layer).hidden];
            cellStates[layer] = new float[cells.get(layer).hidden];
        }
        var state = new Step(hidden, cellStates, null);
        for (int token : prompt) {
            state = advance(state, token);
        }
        return state;
    }

    @Override
    public Step advance(Step state, int token) {
        float[] x = embedding[token].clone();
        for (int j = 0; j < x.length; j++) {
            x[j] += embeddingBias[j];
        }
        var h = new float[cells.size()][];
        var c = new float[cells.size()][];
        for (int layer = 0; layer < cells.size(); layer++) {
            h[layer] = new float[cells.get(layer).hidden];
            c[layer] = new float[cells.get(layer).hidden];
            cells.get(layer).step(x, state.hidden()[layer], state.cells()[layer], h[layer], c[layer]);
            x = h[layer];
        }
        return new Step(h, c, softmax(x));
    }

    private float[] softmax(float[] h) {
        top.put(h, 0, h.length);
        return output.probabilities(top);
    }

    /**
     * One LSTM layer with DL4J's parameters: W [nIn, 4H], RW [H, 4H], b [4H], column blocks g (tanh), forget,
     * output and input gates (sigmoid); c = f·c' + i·g, h = o·tanh(c).
     */
    private static final class Cell {
        final int inputSize;
        final int hidden;
        final FloatPointer inputWeights;
        final FloatPointer recurrentWeights;
        final float[] bias;
        final FloatPointer input;
        final FloatPointer state;
        final FloatPointer gates;
        final float[] gateValues;

        Cell(INDArray inputWeights, INDArray recurrentWeights, INDArray bias) {
            this.inputSize = (int) inputWeights.size(0);
            this.hidden = (int) recurrentWeights.size(0);
            this.inputWeights = SoftmaxOutput.columnMajor(inputWeights);
            this.recurrentWeights = SoftmaxOutput.columnMajor(recurrentWeights);
            this.bias = bias.toFloatVector();
            this.input = new FloatPointer(inputSize);
            this.state = new FloatPointer(hidden);
            this.gates = new FloatPointer(4L * hidden);
            this.gateValues = new float[4 * hidden];
        }

        void step(float[] x, float[] previousHidden, float[] previousCell, float[] h, float[] c) {
            input.put(x, 0, inputSize);
            state.put(previousHidden, 0, hidden);
            cblas_sgemv(CblasColMajor, CblasTrans, inputSize, 4 * hidden, 1f, inputWeights, inputSize, input, 1, 0f, gates, 1);
            cblas_sgemv(CblasColMajor, CblasTrans, hidden, 4 * hidden, 1f, recurrentWeights, hidden, state, 1, 1f, gates, 1);
            gates.get(gateValues, 0, 4 * hidden);
            for (int j = 0; j < hidden; j++) {
                double g = Math.tanh(gateValues[j] + bias[j]);
                double f = sigmoid(gateValues[hidden + j] + bias[hidden + j]);
                double o = sigmoid(gateValues[2 * hidden + j] + bias[2 * hidden + j]);
                double i = sigmoid(gateValues[3 * hidden + j] + bias[3 * hidden + j]);
                c[j] = (float) (f * previousCell[j] + i * g);
                h[j] = (float) (o * Math.tanh(c[j]));
            }
        }

        private static double sigmoid(double z) {
            return 1 / (1 + Math.exp(-z));
        }
    }
}
