package dev.lmpipe.model.runtime;

import dev.lmpipe.model.kernel.Kernels;
import dev.lmpipe.model.FastLstm;
import dev.lmpipe.model.kernel.HostMemory;
import dev.lmpipe.model.kernel.Sigmoid;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.recurrent.LSTM;
import org.deeplearning4j.nn.params.LSTMParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import org.bytedeco.javacpp.FloatPointer;

import java.nio.FloatBuffer;

import static org.bytedeco.openblas.global.openblas.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas.CblasTrans;
import static org.bytedeco.openblas.global.openblas.cblas_sgemm;

/**
 * The LSTM of {@link FastLstm}: DL4J's gates and parameters ({@code W} [nIn, 4H], {@code RW} [H, 4H], {@code b}
 * [1, 4H], column blocks g, f, o, i: the block input g through tanh, forget f, output o and input i gates through
 * the sigmoid; c = f·c' + i·g, h = o·tanh(c)), computed with few native calls:
 * <ul>
 *   <li>the input projection of every time step in one matrix product; per step one product with {@code RW}, and
 *   the gates, cell and hidden state in Java ({@link Sigmoid}'s tanh and sigmoid), no other native call;</li>
 *   <li>backward: per step the element-wise gradient in Java and one product with {@code RW}; the gradients of
 *   {@code W}, {@code RW} and {@code b} and the input's gradient as one product each over all time steps;</li>
 *   <li>the forward pass of a training step is kept for its backward pass instead of being computed again;</li>
 *   <li>with {@link FastLstm#getThreads()} above one, the minibatch's examples are cut into slices that run all of
 *   the above on their own threads and buffers ({@link MinibatchParts}); their gradients are summed.</li>
 * </ul>
 * Float networks in NCW without masks, sigmoid gates and tanh activation from a zero state take this path;
 * anything else (masks, stepping with stored state, truncated BPTT, other activations) is DL4J's own LSTM; generation
 * steps the LSTM without DL4J ({@code generate.LstmStepper}).
 * Not thread-safe, like every DL4J layer: each Spark worker has its own network.
 */
public class FastLstmLayer extends LSTM {
    /** One set of buffers per slice of the minibatch (MinibatchParts), reused from minibatch to minibatch. */
    private Buffers[] work;
    private MinibatchParts slices;
    /** {@code RW} in row-major order for OpenBLAS, read by every slice; the parameters change only between passes. */
    private INDArray recurrentWeights;
    private FloatPointer recurrentAt;
    /** The input whose training forward pass {@link #work} holds, or null: identity, not equality. */
    private INDArray forwardOf;

    public FastLstmLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public INDArray activate(INDArray input, boolean training, LayerWorkspaceMgr workspaceMgr) {
        setInput(input, workspaceMgr);
        return activate(training, workspaceMgr);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (!fast()) {
            return super.activate(training, workspaceMgr);
        }
        applyDropOutIfNecessary(training, workspaceMgr);
        forward(training, workspaceMgr);
        forwardOf = training ? input : null;
        // [B, H, T] as a view of 'c' order [B, T, H]: rows (example, step), as the output layer (FastRnnOutputLayer)
        // reads them, so each slice's copy there is a plain one.
        var output = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, input.dataType(),
                new long[] {slices.examples(), work[0].steps, work[0].hidden}, 'c').permute(0, 2, 1);
        slices.run(p -> slices.of(output, p).assign(work[p].output));
        return output;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        if (!fast()) {
            return super.backpropGradient(epsilon, workspaceMgr);
        }
        assertInputSet(true);
        if (forwardOf != input) {
            applyDropOutIfNecessary(true, workspaceMgr);
            forward(true, workspaceMgr);
        }
        forwardOf = null;
        var inputWeights = getParamWithNoise(LSTMParamInitializer.INPUT_WEIGHT_KEY, true, workspaceMgr);
        var epsilons = new INDArray[work.length];
        for (int p = 0; p < work.length; p++) {
            epsilons[p] = slices.of(epsilon, p);
        }
        // Each slice: back through time, then its share of the parameters' gradients, all on its own thread.
        // recurrentWeights still holds the forward pass's RW: the parameters change only after the backward pass.
        slices.run(p -> work[p].backward(epsilons[p], inputWeights, recurrentAt));

        var inputWeightGradient = gradientViews.get(LSTMParamInitializer.INPUT_WEIGHT_KEY);
        var recurrentWeightGradient = gradientViews.get(LSTMParamInitializer.RECURRENT_WEIGHT_KEY);
        var biasGradient = gradientViews.get(LSTMParamInitializer.BIAS_KEY);
        inputWeightGradient.assign(work[0].inputWeightGradient);
        recurrentWeightGradient.assign(work[0].recurrentWeightGradient);
        biasGradient.assign(work[0].gateSums.reshape(biasGradient.shape()));
        for (int p = 1; p < work.length; p++) {
            inputWeightGradient.addi(work[p].inputWeightGradient);
            recurrentWeightGradient.addi(work[p].recurrentWeightGradient);
            biasGradient.addi(work[p].gateSums.reshape(biasGradient.shape()));
        }
        // [B, nIn, T] as a view of 'c' order [B, T, nIn]: rows, as the embedding below (FastEmbeddingSequenceLayer)
        // reads them; the slices' time-major rows go there row by row.
        var epsilonOut = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, input.dataType(),
                new long[] {slices.examples(), work[0].steps, work[0].inputSize}, 'c').permute(0, 2, 1);
        slices.run(p -> slices.of(epsilonOut, p).assign(work[p].inputGradient3d.permute(1, 2, 0)));

        Gradient gradient = new DefaultGradient();
        gradient.gradientForVariable().put(LSTMParamInitializer.INPUT_WEIGHT_KEY, inputWeightGradient);
        gradient.gradientForVariable().put(LSTMParamInitializer.RECURRENT_WEIGHT_KEY, recurrentWeightGradient);
        gradient.gradientForVariable().put(LSTMParamInitializer.BIAS_KEY, biasGradient);
        weightNoiseParams.clear();
        return new Pair<>(gradient, backpropDropOutIfPresent(epsilonOut));
    }

    @Override
    public void clear() {
        super.clear();
        forwardOf = null;
    }

    private boolean fast() {
        var conf = layerConf();
        // Java and OpenBLAS work on the arrays' host memory: the CPU backend, unless told to take DL4J's path.
        return Kernels.onHost() && input != null && input.rank() == 3 && maskArray == null
                && input.dataType() == DataType.FLOAT
                && conf.getRnnDataFormat() == RNNFormat.NCW
                && conf.getGateActivationFn() instanceof ActivationSigmoid
                && conf.getActivationFn() instanceof ActivationTanH;
    }


    private void forward(boolean training, LayerWorkspaceMgr workspaceMgr) {
        var inputWeights = getParamWithNoise(LSTMParamInitializer.INPUT_WEIGHT_KEY, training, workspaceMgr);
        var recurrent = getParamWithNoise(LSTMParamInitializer.RECURRENT_WEIGHT_KEY, training, workspaceMgr);
        var bias = getParamWithNoise(LSTMParamInitializer.BIAS_KEY, training, workspaceMgr);
        int hidden = (int) layerConf().getNOut();
        int threads = layerConf() instanceof FastLstm fast ? fast.getThreads() : 1;
        if (work == null || !fits(input, hidden, threads)) {
            slices = new MinibatchParts((int) input.size(0), threads);
            try (var ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                work = new Buffers[slices.count()];
                for (int p = 0; p < work.length; p++) {
                    work[p] = new Buffers(slices.size(p), (int) input.size(1), (int) input.size(2), hidden);
                }
                recurrentWeights = Nd4j.create(DataType.FLOAT, hidden, 4L * hidden);
                recurrentAt = HostMemory.pointer(recurrentWeights);
            }
        }
        recurrentWeights.assign(recurrent);
        var inputs = new INDArray[work.length];
        for (int p = 0; p < work.length; p++) {
            inputs[p] = slices.of(input, p);
        }
        slices.run(p -> work[p].forward(inputs[p], inputWeights, bias, recurrentAt));
    }

    private boolean fits(INDArray input, int hidden, int threads) {
        return slices.examples() == input.size(0)
                && slices.count() == new MinibatchParts((int) input.size(0), threads).count()
                && work[0].inputSize == input.size(1) && work[0].steps == input.size(2) && work[0].hidden == hidden;
    }

    /**
     * One time step from its gates' inputs z: g = tanh(z_g), f, o, i = sigmoid(z), c = f·c' + i·g, h = o·tanh(c), into
     * the cell, hidden and NCW output rows (the output a view of 'c' order [B, T, H]: (b·T + t)·H + j); the activated
     * gates replace z for the backward pass. Each example's row goes through Java arrays, where the loops compile to
     * vector instructions ({@link Sigmoid}: no exponential), instead of two native calls per step.
     */
    private static void step(Buffers w, int t) {
        int hidden = w.hidden;
        int minibatch = w.minibatch;
        float[] z = w.gateRow;
        float[] previous = w.previousCellRow;
        float[] c = w.cellRow;
        float[] tanhC = w.cellTanhRow;
        float[] h = w.hiddenRow;
        for (int b = 0; b < minibatch; b++) {
            int row = (t * minibatch + b) * 4 * hidden;
            int cell = (t * minibatch + b) * hidden;
            w.gateData.get(row, z);
            if (t > 0) {
                w.cellData.get(cell - minibatch * hidden, previous);
            }
            for (int j = 0; j < hidden; j++) {
                z[j] = Sigmoid.tanh(z[j]);
            }
            for (int j = hidden; j < 4 * hidden; j++) {
                z[j] = Sigmoid.of(z[j]);
            }
            for (int j = 0; j < hidden; j++) {
                c[j] = z[3 * hidden + j] * z[j] + (t > 0 ? z[hidden + j] * previous[j] : 0f);
            }
            for (int j = 0; j < hidden; j++) {
                tanhC[j] = Sigmoid.tanh(c[j]);
                h[j] = z[2 * hidden + j] * tanhC[j];
            }
            w.gateData.put(row, z);
            w.cellData.put(cell, c);
            w.cellTanhData.put(cell, tanhC);
            w.hiddenData.put(cell, h);
            w.outputData.put((b * w.steps + t) * hidden, h);
        }
    }

    /**
     * From the last step to the first: the gates' gradients replace the gates' values step by step, and the hidden
     * state's gradient flows to the step before through one product with RW (added to what the layer above sent).
     */
    private static void backwardThroughTime(Buffers w, FloatPointer recurrentAt) {
        int hidden = w.hidden;
        int minibatch = w.minibatch;
        // Per example row in Java arrays, where the loops compile to vector instructions.
        float[] z = w.gateRow;
        float[] previous = w.previousCellRow;
        float[] tanhC = w.cellTanhRow;
        float[] dh = w.hiddenRow;
        float[] dc = w.cellRow;
        float[] cellGradient = w.cellGradient;
        java.util.Arrays.fill(cellGradient, 0f);
        for (int t = w.steps - 1; t >= 0; t--) {
            for (int b = 0; b < minibatch; b++) {
                int row = (t * minibatch + b) * 4 * hidden;
                int cell = (t * minibatch + b) * hidden;
                int carried = b * hidden;
                w.gateData.get(row, z);
                w.cellTanhData.get(cell, tanhC);
                w.hiddenGradientData.get(cell, dh);
                if (t > 0) {
                    w.cellData.get(cell - minibatch * hidden, previous);
                } else {
                    java.util.Arrays.fill(previous, 0f);
                }
                for (int j = 0; j < hidden; j++) {
                    float o = z[2 * hidden + j];
                    dc[j] = cellGradient[carried + j] + dh[j] * o * (1 - tanhC[j] * tanhC[j]);
                }
                for (int j = 0; j < hidden; j++) {
                    float g = z[j];
                    float f = z[hidden + j];
                    float o = z[2 * hidden + j];
                    float i = z[3 * hidden + j];
                    cellGradient[carried + j] = dc[j] * f;
                    z[j] = dc[j] * i * (1 - g * g);
                    z[hidden + j] = dc[j] * previous[j] * f * (1 - f);
                    z[2 * hidden + j] = dh[j] * tanhC[j] * o * (1 - o);
                    z[3 * hidden + j] = dc[j] * g * i * (1 - i);
                }
                w.gateData.put(row, z);
            }
            if (t > 0) {
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, minibatch, hidden, 4 * hidden,
                        1f, w.gatesAt[t], 4 * hidden, recurrentAt, 4 * hidden, 1f, w.hiddenGradientAt[t - 1], hidden);
            }
        }
    }

    /**
     * Arrays for one input shape, outside DL4J's workspaces, reused from minibatch to minibatch. Rows are
     * (time, example) pairs, time-major: row t·B + b. Java reads and writes them through their memory.
     */
    private static final class Buffers {
        final int minibatch;
        final int inputSize;
        final int steps;
        final int hidden;
        final INDArray inputs;
        final INDArray inputs3d;
        final INDArray gates;
        final INDArray hidden2d;
        final INDArray cells;
        final INDArray cellTanh;
        final INDArray hiddenGradient;
        final INDArray hiddenGradient3d;
        final INDArray inputGradient;
        final INDArray inputGradient3d;
        final INDArray output;
        final INDArray ones;
        final INDArray gateSums;
        final INDArray inputWeightGradient;
        final INDArray recurrentWeightGradient;
        final FloatPointer[] gatesAt;
        final FloatPointer[] hiddenAt;
        final FloatPointer[] hiddenGradientAt;
        final FloatBuffer gateData;
        final FloatBuffer cellData;
        final FloatBuffer cellTanhData;
        final FloatBuffer hiddenData;
        final FloatBuffer hiddenGradientData;
        final FloatBuffer outputData;
        final float[] cellGradient;
        final float[] gateRow;
        final float[] previousCellRow;
        final float[] cellRow;
        final float[] cellTanhRow;
        final float[] hiddenRow;

        Buffers(int minibatch, int inputSize, int steps, int hidden) {
            this.minibatch = minibatch;
            this.inputSize = inputSize;
            this.steps = steps;
            this.hidden = hidden;
            long rows = (long) steps * minibatch;
            inputs = Nd4j.create(DataType.FLOAT, rows, inputSize);
            inputs3d = inputs.reshape(steps, minibatch, inputSize);
            gates = Nd4j.create(DataType.FLOAT, rows, 4L * hidden);
            hidden2d = Nd4j.create(DataType.FLOAT, rows, hidden);
            cells = Nd4j.create(DataType.FLOAT, rows, hidden);
            cellTanh = Nd4j.create(DataType.FLOAT, rows, hidden);
            hiddenGradient = Nd4j.create(DataType.FLOAT, rows, hidden);
            hiddenGradient3d = hiddenGradient.reshape(steps, minibatch, hidden);
            inputGradient = Nd4j.create(DataType.FLOAT, rows, inputSize);
            inputGradient3d = inputGradient.reshape(steps, minibatch, inputSize);
            output = Nd4j.create(DataType.FLOAT, new long[] {minibatch, steps, hidden}, 'c').permute(0, 2, 1);
            ones = Nd4j.ones(DataType.FLOAT, 1, rows);
            gateSums = Nd4j.create(DataType.FLOAT, 1, 4L * hidden);
            inputWeightGradient = Nd4j.create(DataType.FLOAT, inputSize, 4L * hidden);
            recurrentWeightGradient = Nd4j.create(DataType.FLOAT, hidden, 4L * hidden);
            gatesAt = pointers(gates, 4 * hidden);
            hiddenAt = pointers(hidden2d, hidden);
            hiddenGradientAt = pointers(hiddenGradient, hidden);
            gateData = HostMemory.floats(gates);
            cellData = HostMemory.floats(cells);
            cellTanhData = HostMemory.floats(cellTanh);
            hiddenData = HostMemory.floats(hidden2d);
            hiddenGradientData = HostMemory.floats(hiddenGradient);
            outputData = HostMemory.floats(output);
            cellGradient = new float[minibatch * hidden];
            gateRow = new float[4 * hidden];
            previousCellRow = new float[hidden];
            cellRow = new float[hidden];
            cellTanhRow = new float[hidden];
            hiddenRow = new float[hidden];
        }

        /** The forward pass of this slice's examples ({@code input}: [B, nIn, T], a view of the layer's input). */
        void forward(INDArray input, INDArray inputWeights, INDArray bias, FloatPointer recurrentAt) {
            inputs3d.assign(input.permute(2, 0, 1));
            Nd4j.gemm(inputs, inputWeights, gates, false, false, 1.0, 0.0);
            gates.addiRowVector(bias);
            int hidden4 = 4 * hidden;
            for (int t = 0; t < steps; t++) {
                if (t > 0) {
                    // z(t) += h(t-1) RW: OpenBLAS directly; ND4J's matmul op costs more than the product at this size.
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, minibatch, hidden4, hidden,
                            1f, hiddenAt[t - 1], hidden, recurrentAt, hidden4, 1f, gatesAt[t], hidden4);
                }
                step(this, t);
            }
        }

        /**
         * After {@link #forward}: back through time from this slice's output gradient ([B, H, T], a view), then this
         * slice's share of the gradients of W, RW and b (summed over its examples) and of the input.
         */
        void backward(INDArray outputGradient, INDArray inputWeights, FloatPointer recurrentAt) {
            hiddenGradient3d.assign(outputGradient.permute(2, 0, 1));
            backwardThroughTime(this, recurrentAt);
            // gates now holds the gradient of the loss with respect to the gates' inputs, all time steps.
            Nd4j.gemm(inputs, gates, inputWeightGradient, true, false, 1.0, 0.0);
            if (steps > 1) {
                // h(t-1) meets the gates of step t; the state before step 0 is zero.
                long rows = (long) (steps - 1) * minibatch;
                Nd4j.gemm(hidden2d.get(NDArrayIndex.interval(0, rows), NDArrayIndex.all()),
                        gates.get(NDArrayIndex.interval(minibatch, rows + minibatch), NDArrayIndex.all()),
                        recurrentWeightGradient, true, false, 1.0, 0.0);
            } else {
                recurrentWeightGradient.assign(0);
            }
            // Column sums as a product with ones: ND4J's sum along dimension 0 of this shape is many times slower.
            Nd4j.gemm(ones, gates, gateSums, false, false, 1.0, 0.0);
            Nd4j.gemm(gates, inputWeights, inputGradient, false, true, 1.0, 0.0);
        }

        /** Where step t's rows begin, for OpenBLAS. */
        private FloatPointer[] pointers(INDArray array, int columns) {
            var start = HostMemory.pointer(array);
            var pointers = new FloatPointer[steps];
            for (int t = 0; t < steps; t++) {
                pointers[t] = new FloatPointer(start);
                pointers[t].position((long) t * minibatch * columns);
            }
            return pointers;
        }

    }
}
