package dev.lmpipe.generate;

import dev.lmpipe.model.kernel.Kernels;
import dev.lmpipe.model.Networks;
import dev.lmpipe.model.kernel.BlockParameters;
import dev.lmpipe.model.kernel.TransformerBlockKernel;

import dev.lmpipe.model.kernel.CausalSoftmax;
import dev.lmpipe.model.LayerNorm;
import static dev.lmpipe.model.kernel.HostMemory.floats;
import static dev.lmpipe.model.kernel.HostMemory.pointer;
import dev.lmpipe.model.PositionEmbedding;
import dev.lmpipe.model.kernel.RowNorm;
import dev.lmpipe.model.kernel.Sigmoid;
import dev.lmpipe.model.TransformerBlock;
import org.bytedeco.javacpp.FloatPointer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.bytedeco.openblas.global.openblas.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas.CblasTrans;
import static org.bytedeco.openblas.global.openblas.cblas_sgemm;

/**
 * The GPT (token and position embeddings, {@link TransformerBlock}s, final {@link LayerNorm}, softmax) run over one
 * window for generation without SameDiff: its graph executor spends milliseconds per block on a window of one
 * sequence. Here the products are OpenBLAS calls on row-major copies of the parameters, the norms, GELU and
 * attention's softmax are Java with ND4J's formulas, the whole window's softmax training's {@link CausalSoftmax}
 * (as training's {@code TransformerBlockKernel}); only the window's
 * real positions are computed (the model is causal, padding changes nothing before it), and only the last position
 * goes through the final norm and the output layer. Networks of any other shape run through DL4J.
 */
final class TransformerWindow {
    private final int width;
    private final int heads;
    private final float[][] tokenEmbedding;
    private final float[][] positionEmbedding;
    private final List<Block> blocks;
    private final float[] finalGain;
    private final float[] finalBias;
    private final SoftmaxOutput output;

    private final INDArray x;
    private final INDArray normed;
    private final INDArray qkv;
    private final INDArray scores;
    private final INDArray attended;
    private final INDArray hidden;
    private final INDArray projected;
    private final RowNorm norm;
    private final float[] geluRow;
    private final float[] geluSlopes;
    // One head's [n, n] scores, and two runs of rows, in Java arrays.
    private final float[] headScores;
    private final float[] sums;
    private final float[] terms;

    private TransformerWindow(int width, int heads, int block, float[][] tokenEmbedding, float[][] positionEmbedding,
                              List<Block> blocks, Map<String, INDArray> finalNorm, Map<String, INDArray> output) {
        this.width = width;
        this.heads = heads;
        this.tokenEmbedding = tokenEmbedding;
        this.positionEmbedding = positionEmbedding;
        this.blocks = blocks;
        try (var ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            this.finalGain = finalNorm.get(LayerNorm.GAIN).toFloatVector();
            this.finalBias = finalNorm.get(LayerNorm.BIAS).toFloatVector();
            x = Nd4j.create(DataType.FLOAT, block, width);
            normed = Nd4j.create(DataType.FLOAT, block, width);
            qkv = Nd4j.create(DataType.FLOAT, block, 3L * width);
            scores = Nd4j.create(DataType.FLOAT, block, block);
            attended = Nd4j.create(DataType.FLOAT, block, width);
            hidden = Nd4j.create(DataType.FLOAT, block, (long) BlockParameters.MLP_EXPANSION * width);
            projected = Nd4j.create(DataType.FLOAT, block, width);
        }
        norm = new RowNorm(width);
        geluRow = new float[BlockParameters.MLP_EXPANSION * width];
        geluSlopes = new float[geluRow.length];
        headScores = new float[block * block];
        sums = new float[block * width];
        terms = new float[block * width];
        this.output = new SoftmaxOutput(output);
    }

    /** The window runner for a GPT network, or empty for any other network. */
    static Optional<TransformerWindow> of(MultiLayerNetwork network) {
        var confs = network.getLayerWiseConfigurations().getConfs();
        int last = confs.size() - 1;
        // Java and OpenBLAS on the arrays' memory: the CPU backend only (a GPU build runs the window through DL4J).
        if (!Kernels.onHost() || confs.size() < 5 || !(confs.get(0).getLayer() instanceof EmbeddingSequenceLayer embedding)
                || embedding.hasBias() || !(embedding.getActivationFn() instanceof ActivationIdentity)
                || !(confs.get(1).getLayer() instanceof PositionEmbedding positions)
                || !(confs.get(last - 1).getLayer() instanceof LayerNorm)
                || !(confs.get(last).getLayer() instanceof RnnOutputLayer output)
                || !(output.getActivationFn() instanceof ActivationSoftmax)) {
            return Optional.empty();
        }
        var blocks = new ArrayList<Block>();
        int heads = 0;
        for (int i = 2; i < last - 1; i++) {
            var layer = confs.get(i).getLayer();
            if (layer instanceof TransformerBlock transformerBlock) {
                heads = transformerBlock.getHeads();
                blocks.add(new Block(network.getLayer(i).paramTable()));
            } else if (!(layer instanceof DropoutLayer)) {
                return Optional.empty();
            }
        }
        if (blocks.isEmpty()) {
            return Optional.empty();
        }
        var positionParams = network.getLayer(1).paramTable().get(PositionEmbedding.POSITIONS); // [width, block]
        return Optional.of(new TransformerWindow(positions.getWidth(), heads, positions.getBlock(),
                network.getLayer(0).paramTable().get(DefaultParamInitializer.WEIGHT_KEY).toFloatMatrix(),
                positionParams.transpose().toFloatMatrix(), blocks,
                network.getLayer(last - 1).paramTable(), network.getLayer(last).paramTable()));
    }

    /** Probabilities of the token after {@code tokens} (1 to block of them). */
    float[] distributionAfter(int[] tokens) {
        int n = tokens.length;
        FloatBuffer xs = floats(x);
        for (int t = 0; t < n; t++) {
            for (int j = 0; j < width; j++) {
                xs.put(t * width + j, tokenEmbedding[tokens[t]][j] + positionEmbedding[t][j]);
            }
        }
        FloatBuffer normedValues = floats(normed);
        FloatBuffer hiddenValues = floats(hidden);
        int hiddenWidth = (int) hidden.size(1);
        for (int l = 0; l < blocks.size(); l++) {
            Block b = blocks.get(l);
            // Every position's keys and values are needed; of the last block's output, only the last position's.
            int first = l == blocks.size() - 1 ? n - 1 : 0;
            int rows = n - first;
            layerNorm(xs, 0, n, b.norm1Gain, b.norm1Bias, normedValues);
            product(normed, 0, b.qkvWeight, b.qkvBias, qkv, n, width, 3 * width);
            attention(n, first);
            product(attended, first, b.attentionOutWeight, b.attentionOutBias, projected, rows, width, width);
            addTo(xs, first * width, floats(projected), rows * width);
            layerNorm(xs, first, rows, b.norm2Gain, b.norm2Bias, normedValues);
            product(normed, 0, b.hiddenWeight, b.hiddenBias, hidden, rows, width, hiddenWidth);
            gelu(hiddenValues, rows);
            product(hidden, 0, b.mlpOutWeight, b.mlpOutBias, projected, rows, hiddenWidth, width);
            addTo(xs, first * width, floats(projected), rows * width);
        }
        layerNorm(xs, n - 1, 1, finalGain, finalBias, normedValues);
        return output.probabilities(pointer(normed));
    }

    /**
     * Rows {@code [from, from + n)} of {@code in}, normalised into rows {@code [0, n)} of {@code out} as ND4J's
     * {@code layer_norm} op computes it, by the same {@link RowNorm} that training runs.
     */
    private void layerNorm(FloatBuffer in, int from, int n, float[] gain, float[] bias, FloatBuffer out) {
        norm.forward(n, in.slice(from * width, n * width), null, null, gain, bias, out);
    }

    /** ND4J's GELU, in place on the first {@code rows} rows of the hidden layer: {@code x·sigmoid(1.702·x)}. */
    private void gelu(FloatBuffer values, int rows) {
        int hiddenWidth = geluRow.length;
        for (int r = 0; r < rows; r++) {
            values.get(r * hiddenWidth, geluRow);
            Sigmoid.gelu(geluRow, geluSlopes, hiddenWidth);
            values.put(r * hiddenWidth, geluRow);
        }
    }

    /**
     * Causal multi-head self-attention of the first n positions of qkv ([q | k | v], heads side by side), for the
     * queries of positions {@code [first, n)}, into those rows of attended.
     */
    private void attention(int n, int first) {
        int headSize = width / heads;
        int rows = n - first;
        FloatBuffer s = floats(scores);
        var qkvAt = pointer(qkv);
        for (int h = 0; h < heads; h++) {
            // scores = q·kᵀ / sqrt(head size): row r for the query at position first + r, leading dimension n.
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, n, headSize, (float) (1 / Math.sqrt(headSize)),
                    at(qkvAt, (long) first * 3 * width + h * headSize), 3 * width, at(qkvAt, width + h * headSize),
                    3 * width, 0f, pointer(scores), n);
            if (first == 0) {
                // Every position's query: the causal softmax training runs, on a Java array.
                s.get(0, headScores, 0, n * n);
                CausalSoftmax.forward(headScores, 0, n);
                s.put(0, headScores, 0, n * n);
            } else {
                for (int r = 0; r < rows; r++) {
                    int i = first + r;
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j <= i; j++) {
                        max = Math.max(max, s.get(r * n + j));
                    }
                    double sum = 0;
                    for (int j = 0; j <= i; j++) {
                        double e = Math.exp(s.get(r * n + j) - max);
                        s.put(r * n + j, (float) e);
                        sum += e;
                    }
                    for (int j = 0; j < n; j++) {
                        s.put(r * n + j, j <= i ? (float) (s.get(r * n + j) / sum) : 0f);
                    }
                }
            }
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, headSize, n, 1f, pointer(scores), n,
                    at(qkvAt, 2 * width + h * headSize), 3 * width, 0f,
                    at(pointer(attended), (long) first * width + h * headSize), width);
        }
    }

    /**
     * out[0..n) = in[from..from + n)·w + bias, row-major, w [k, m]: the bias copied into every row, the product
     * added by OpenBLAS.
     */
    private static void product(INDArray in, int from, INDArray weight, float[] bias, INDArray out, int n, int k, int m) {
        FloatBuffer values = floats(out);
        for (int r = 0; r < n; r++) {
            values.put(r * m, bias);
        }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, m, k, 1f, at(pointer(in), (long) from * k), k,
                pointer(weight), m, 1f, pointer(out), m);
    }

    /** target[from, from + length) += values[0, length), through Java arrays. */
    private void addTo(FloatBuffer target, int from, FloatBuffer values, int length) {
        target.get(from, sums, 0, length);
        values.get(0, terms, 0, length);
        for (int i = 0; i < length; i++) {
            sums[i] += terms[i];
        }
        target.put(from, sums, 0, length);
    }

    private static INDArray rowMajor(INDArray parameter) {
        return parameter.dup('c');
    }

    private static FloatPointer at(FloatPointer start, long offset) {
        return new FloatPointer(start).position(start.position() + offset);
    }


    /** One block's parameters, row-major copies outside DL4J's workspaces. */
    private static final class Block {
        final float[] norm1Gain;
        final float[] norm1Bias;
        final INDArray qkvWeight;
        final float[] qkvBias;
        final INDArray attentionOutWeight;
        final float[] attentionOutBias;
        final float[] norm2Gain;
        final float[] norm2Bias;
        final INDArray hiddenWeight;
        final float[] hiddenBias;
        final INDArray mlpOutWeight;
        final float[] mlpOutBias;

        Block(Map<String, INDArray> p) {
            try (var ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                norm1Gain = p.get(BlockParameters.NORM1_GAIN).toFloatVector();
                norm1Bias = p.get(BlockParameters.NORM1_BIAS).toFloatVector();
                qkvWeight = rowMajor(p.get(BlockParameters.QKV_WEIGHT));
                qkvBias = p.get(BlockParameters.QKV_BIAS).toFloatVector();
                attentionOutWeight = rowMajor(p.get(BlockParameters.ATTENTION_OUT_WEIGHT));
                attentionOutBias = p.get(BlockParameters.ATTENTION_OUT_BIAS).toFloatVector();
                norm2Gain = p.get(BlockParameters.NORM2_GAIN).toFloatVector();
                norm2Bias = p.get(BlockParameters.NORM2_BIAS).toFloatVector();
                hiddenWeight = rowMajor(p.get(BlockParameters.HIDDEN_WEIGHT));
                hiddenBias = p.get(BlockParameters.HIDDEN_BIAS).toFloatVector();
                mlpOutWeight = rowMajor(p.get(BlockParameters.MLP_OUT_WEIGHT));
                mlpOutBias = p.get(BlockParameters.MLP_OUT_BIAS).toFloatVector();
            }
        }
    }
}
