package dev.lmpipe.model.runtime;

import dev.lmpipe.model.kernel.Kernels;
import dev.lmpipe.model.FastRnnOutput;
import dev.lmpipe.model.kernel.HostMemory;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.recurrent.RnnOutputLayer;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.impl.LossSparseMCXENT;

import java.nio.FloatBuffer;

/**
 * The output layer of {@link FastRnnOutput}: softmax over a linear map of each time step, with the sparse
 * cross-entropy of DL4J's {@code LossSparseMCXENT} (labels [B, 1, T] of class ids), computed with few native calls:
 * <ul>
 *   <li>per slice of the minibatch's examples ({@link MinibatchParts}, on its own thread and buffers): the input
 *   copied once into rows [b·T, C], the logits as one matrix product, softmax, loss and its gradient in one Java loop
 *   over the rows, then the gradients of W, b and of the input as one product each; the slices' gradients are
 *   summed;</li>
 *   <li>the loss of a training pass is kept for the score DL4J asks for next, instead of being computed again;</li>
 *   <li>outputs and input gradients are views of 'c' order [B, T, ·]: rows, as the layers below read them.</li>
 * </ul>
 * Float networks on ND4J's CPU backend in NCW, softmax with the sparse cross-entropy without class weights, no masks,
 * dropout or weight noise take this path; anything else is DL4J's own RnnOutputLayer, as is the score of each
 * example ({@code computeScoreForExamples}). Not thread-safe, like every DL4J layer: each Spark worker has its own
 * network.
 */
public class FastRnnOutputLayer extends RnnOutputLayer {
    private MinibatchParts slices;
    private Slice[] work;
    /** The input and labels of the last training pass, whose summed loss is {@link #loss}; null when none. */
    private INDArray lossInput;
    private INDArray lossLabels;
    private double loss;

    public FastRnnOutputLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public void setInput(INDArray input, LayerWorkspaceMgr workspaceMgr) {
        super.setInput(input, workspaceMgr);
        lossInput = null;
    }

    @Override
    public void setLabels(INDArray labels) {
        super.setLabels(labels);
        lossLabels = null;
    }

    @Override
    public void clear() {
        super.clear();
        lossInput = null;
        lossLabels = null;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (!fast(false)) {
            return super.activate(training, workspaceMgr);
        }
        prepare();
        var weights = getParam(DefaultParamInitializer.WEIGHT_KEY);
        float[] bias = getParam(DefaultParamInitializer.BIAS_KEY).toFloatVector();
        var output = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT,
                new long[] {slices.examples(), work[0].steps, work[0].classes}, 'c');
        slices.run(p -> {
            var slice = work[p];
            slice.logits(slices.of(input, p), weights);
            slice.softmax(bias);
            slices.of(output, p).assign(slice.logits3d);
        });
        return output.permute(0, 2, 1);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        if (!fast(true)) {
            return super.backpropGradient(epsilon, workspaceMgr);
        }
        assertInputSet(true);
        prepare();
        var inputGradient = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT,
                new long[] {slices.examples(), work[0].steps, work[0].width}, 'c');
        loss = lossOfSlices(inputGradient);
        var weightGradient = gradientViews.get(DefaultParamInitializer.WEIGHT_KEY);
        var biasGradient = gradientViews.get(DefaultParamInitializer.BIAS_KEY);
        INDArray[] weightParts = new INDArray[work.length];
        INDArray[] biasParts = new INDArray[work.length];
        for (int p = 0; p < work.length; p++) {
            weightParts[p] = work[p].weightGradient;
            biasParts[p] = work[p].biasGradient.reshape(biasGradient.shape());
        }
        SliceGradients.sum(weightGradient, weightParts, 0, 1);
        SliceGradients.sum(biasGradient, biasParts, 0, 1);
        lossInput = input;
        lossLabels = labels;
        Gradient gradient = new DefaultGradient();
        gradient.gradientForVariable().put(DefaultParamInitializer.WEIGHT_KEY, weightGradient);
        gradient.gradientForVariable().put(DefaultParamInitializer.BIAS_KEY, biasGradient);
        weightNoiseParams.clear();
        return new Pair<>(gradient, inputGradient.permute(0, 2, 1));
    }

    /** DL4J's score: the loss summed over time steps, averaged over examples, plus the regularisation term. */
    @Override
    public double computeScore(double fullNetRegTerm, boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (!fast(true)) {
            return super.computeScore(fullNetRegTerm, training, workspaceMgr);
        }
        if (lossInput != input || lossLabels != labels) {
            prepare();
            loss = lossOfSlices(null);
        }
        double result = loss;
        if (conf().isMiniBatch()) {
            result /= getInputMiniBatchSize();
        }
        score = result + fullNetRegTerm;
        return score;
    }

    /**
     * The loss summed over the minibatch, each slice on its thread; with {@code inputGradient} ('c' [B, T, C]) not
     * null, also each slice's parameter gradients and its rows of the input's gradient.
     */
    private double lossOfSlices(INDArray inputGradient) {
        var weights = getParam(DefaultParamInitializer.WEIGHT_KEY);
        float[] bias = getParam(DefaultParamInitializer.BIAS_KEY).toFloatVector();
        float[] classIds = classIds();
        double clipping = clipping();
        double[] losses = new double[work.length];
        slices.run(p -> {
            var slice = work[p];
            slice.logits(slices.of(input, p), weights);
            losses[p] = slice.lossAndDelta(bias, classIds, slices.from(p) * slice.steps, clipping);
            if (inputGradient != null) {
                slice.backward(weights);
                slices.of(inputGradient, p).assign(slice.inputGradient3d);
            }
        });
        double total = 0;
        for (double value : losses) {
            total += value;
        }
        return total;
    }

    private boolean fast(boolean withLabels) {
        var conf = layerConf();
        // Java and OpenBLAS work on the arrays' host memory: the CPU backend, unless told to take DL4J's path.
        return Kernels.onHost() && input != null && input.rank() == 3
                && input.dataType() == DataType.FLOAT && dataType == DataType.FLOAT && maskArray == null
                && conf.getRnnDataFormat() == RNNFormat.NCW && conf.getActivationFn() instanceof ActivationSoftmax
                && conf.getLossFn() instanceof LossSparseMCXENT sparse && sparse.getWeights() == null
                && conf.getIDropout() == null && conf.getWeightNoise() == null && hasBias()
                && (!withLabels || labels != null && labels.rank() == 3 && labels.size(1) == 1
                        && labels.size(0) == input.size(0) && labels.size(2) == input.size(2));
    }

    /** The loss's floor on a probability, as DL4J's score applies it: -log(max(p, eps)). */
    private double clipping() {
        double eps = ((LossSparseMCXENT) layerConf().getLossFn()).getSoftmaxClipEps();
        return eps > 0 ? -Math.log(eps) : Double.POSITIVE_INFINITY;
    }

    /** The labels' class ids, example-major (b·T + t), each checked against the number of classes. */
    private float[] classIds() {
        float[] ids = labels.dup('c').data().asFloat();
        long classes = layerConf().getNOut();
        for (int i = 0; i < ids.length; i++) {
            if (!(ids[i] >= 0 && ids[i] < classes) || ids[i] != (int) ids[i]) {
                throw new IllegalArgumentException("label " + ids[i] + " at example " + i / input.size(2)
                        + ", step " + i % input.size(2) + " is not a class id in [0, " + classes + ") " + layerId());
            }
        }
        return ids;
    }

    private void prepare() {
        int examples = (int) input.size(0);
        int width = (int) input.size(1);
        int steps = (int) input.size(2);
        int classes = (int) layerConf().getNOut();
        int threads = layerConf() instanceof FastRnnOutput fast ? fast.getThreads() : 1;
        var wanted = new MinibatchParts(examples, threads);
        if (work != null && slices.examples() == examples && slices.count() == wanted.count()
                && work[0].width == width && work[0].steps == steps && work[0].classes == classes) {
            return;
        }
        slices = wanted;
        try (var ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            work = new Slice[slices.count()];
            for (int p = 0; p < work.length; p++) {
                work[p] = new Slice(slices.size(p), steps, width, classes);
            }
        }
    }

    /** Buffers for one slice of the minibatch, outside DL4J's workspaces; rows are (example, step): b·T + t. */
    private static final class Slice {
        final int steps;
        final int width;
        final int classes;
        final int rows;
        final INDArray inputRows;
        final INDArray inputRows3d;
        /** The logits, then the probabilities (inference) or the loss's gradient for the logits (training). */
        final INDArray logits;
        final INDArray logits3d;
        final FloatBuffer logitData;
        final INDArray weightGradient;
        final INDArray biasGradient;
        final INDArray ones;
        final INDArray inputGradient;
        final INDArray inputGradient3d;

        Slice(int examples, int steps, int width, int classes) {
            this.steps = steps;
            this.width = width;
            this.classes = classes;
            this.rows = examples * steps;
            inputRows = Nd4j.create(DataType.FLOAT, rows, width);
            inputRows3d = inputRows.reshape(examples, steps, width);
            logits = Nd4j.create(DataType.FLOAT, rows, classes);
            logits3d = logits.reshape(examples, steps, classes);
            logitData = HostMemory.floats(logits);
            weightGradient = Nd4j.create(DataType.FLOAT, width, classes);
            biasGradient = Nd4j.create(DataType.FLOAT, 1, classes);
            ones = Nd4j.ones(DataType.FLOAT, 1, rows);
            inputGradient = Nd4j.create(DataType.FLOAT, rows, width);
            inputGradient3d = inputGradient.reshape(examples, steps, width);
        }

        /** The logits without the bias: this slice's examples of the input ([b, C, T], a view) times W. */
        void logits(INDArray input, INDArray weights) {
            inputRows3d.assign(input.permute(0, 2, 1));
            Nd4j.gemm(inputRows, weights, logits, false, false, 1.0, 0.0);
        }

        /** The bias added and softmax taken, row by row, in place. */
        void softmax(float[] bias) {
            FloatBuffer z = logitData;
            for (int r = 0; r < rows; r++) {
                int at = r * classes;
                float max = addBiasAndMax(z, at, bias);
                float sum = exponentials(z, at, max);
                float scale = 1f / sum;
                for (int k = 0; k < classes; k++) {
                    z.put(at + k, z.get(at + k) * scale);
                }
            }
        }

        /**
         * The bias added, then per row the loss -log(max(p(label), eps)) (returned, summed over the slice's rows) and,
         * in place of the logits, its gradient p - onehot(label).
         * @param classIds the whole minibatch's labels; this slice's start at {@code first}
         */
        double lossAndDelta(float[] bias, float[] classIds, int first, double clipping) {
            FloatBuffer z = logitData;
            double total = 0;
            for (int r = 0; r < rows; r++) {
                int at = r * classes;
                int label = (int) classIds[first + r];
                float max = addBiasAndMax(z, at, bias);
                float labelLogit = z.get(at + label);
                float sum = exponentials(z, at, max);
                total += Math.min(Math.log(sum) + max - labelLogit, clipping);
                float scale = 1f / sum;
                for (int k = 0; k < classes; k++) {
                    z.put(at + k, z.get(at + k) * scale);
                }
                z.put(at + label, z.get(at + label) - 1f);
            }
            return total;
        }

        /** After {@link #lossAndDelta}: this slice's share of the gradients of W and b, and its input's gradient. */
        void backward(INDArray weights) {
            Nd4j.gemm(inputRows, logits, weightGradient, true, false, 1.0, 0.0);
            // Column sums as a product with ones (as in FastLstmLayer): ND4J's sum along dimension 0 is slower.
            Nd4j.gemm(ones, logits, biasGradient, false, false, 1.0, 0.0);
            Nd4j.gemm(logits, weights, inputGradient, false, true, 1.0, 0.0);
        }

        private float addBiasAndMax(FloatBuffer z, int at, float[] bias) {
            float max = Float.NEGATIVE_INFINITY;
            for (int k = 0; k < classes; k++) {
                float value = z.get(at + k) + bias[k];
                z.put(at + k, value);
                max = Math.max(max, value);
            }
            return max;
        }

        /** exp(z - max) in place over one row; returns their sum. */
        private float exponentials(FloatBuffer z, int at, float max) {
            float sum = 0;
            for (int k = 0; k < classes; k++) {
                float e = (float) Math.exp(z.get(at + k) - max);
                z.put(at + k, e);
                sum += e;
            }
            return sum;
        }
    }
}
