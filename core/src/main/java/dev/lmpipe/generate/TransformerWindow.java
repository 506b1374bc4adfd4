package dev.lmpipe.generate;

import dev.lmpipe.model.LayerNorm;
import static dev.lmpipe.model.HostMemory.floats;
import static dev.lmpipe.model.HostMemory.pointer;
import dev.lmpipe.model.PositionEmbedding;
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
import org.nd4j.linalg.api.ops.impl.transforms.strict.GELU;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

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
 * sequence. Here the products are OpenBLAS calls on row-major copies of the parameters, the norms and GELU are
 * ND4J's own operations (the very ones training used), attention's softmax is Java; only the window's real
 * positions are computed (the model is causal, padding changes nothing before it), and only the last position
 * goes through the final norm and the output layer. Networks of any other shape run through DL4J.
 */
final class TransformerWindow {
    private final int width;
    private final int heads;
    private final float[][] tokenEmbedding;
    private final float[][] positionEmbedding;
    private final List<Block> blocks;
    private final INDArray finalGain;
    private final INDArray finalBias;
    private final SoftmaxOutput output;

    private final INDArray x;
    private final INDArray normed;
    private final INDArray qkv;
    private final INDArray scores;
    private final INDArray attended;
    private final INDArray hidden;
    private final INDArray projected;

    private TransformerWindow(int width, int heads, int block, float[][] tokenEmbedding, float[][] positionEmbedding,
                              List<Block> blocks, Map<String, INDArray> finalNorm, Map<String, INDArray> output) {
        this.width = width;
        this.heads = heads;
        this.tokenEmbedding = tokenEmbedding;
        this.positionEmbedding = positionEmbedding;
        this.blocks = blocks;
        try (var ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            this.finalGain = rowMajor(finalNorm.get(LayerNorm.GAIN));
            this.finalBias = rowMajor(finalNorm.get(LayerNorm.BIAS));
            x = Nd4j.create(DataType.FLOAT, block, width);
            normed = Nd4j.create(DataType.FLOAT, block, width);
            qkv = Nd4j.create(DataType.FLOAT, block, 3L * width);
            scores = Nd4j.create(DataType.FLOAT, block, block);
            attended = Nd4j.create(DataType.FLOAT, block, width);
            hidden = Nd4j.create(DataType.FLOAT, block, (long) TransformerBlock.MLP_EXPANSION * width);
            projected = Nd4j.create(DataType.FLOAT, block, width);
        }
        this.output = new SoftmaxOutput(output);
    }

    /** The window runner for a GPT network, or empty for any other network. */
    static Optional<TransformerWindow> of(MultiLayerNetwork network) {
        var confs = network.getLayerWiseConfigurations().getConfs();
        int last = confs.size() - 1;
        // Java and OpenBLAS on the arrays' memory: the CPU backend only (a GPU build runs the window through DL4J).
        if (!Nd4j.getEnvironment().isCPU() || confs.size() < 5 || !(confs.get(0).getLayer() instanceof EmbeddingSequenceLayer embedding)
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
        var rows = NDArrayIndex.interval(0, n);
        var xRows = x.get(rows, NDArrayIndex.all());
        var normedRows = normed.get(rows, NDArrayIndex.all());
        var hiddenRows = hidden.get(rows, NDArrayIndex.all());
        for (var b : blocks) {
            Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.custom.LayerNorm(xRows, b.norm1Gain, b.norm1Bias, normedRows, false, 1));
            product(normed, b.qkvWeight, b.qkvBias, qkv, n, width, 3 * width);
            attention(n);
            product(attended, b.attentionOutWeight, b.attentionOutBias, projected, n, width, width);
            addTo(xs, floats(projected), n * width);
            Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.custom.LayerNorm(xRows, b.norm2Gain, b.norm2Bias, normedRows, false, 1));
            product(normed, b.hiddenWeight, b.hiddenBias, hidden, n, width, (int) hidden.size(1));
            Nd4j.exec(new GELU(hiddenRows, hiddenRows));
            product(hidden, b.mlpOutWeight, b.mlpOutBias, projected, n, (int) hidden.size(1), width);
            addTo(xs, floats(projected), n * width);
        }
        var lastRow = x.get(NDArrayIndex.interval(n - 1, n), NDArrayIndex.all());
        var lastNormed = normed.get(NDArrayIndex.interval(0, 1), NDArrayIndex.all());
        Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.custom.LayerNorm(lastRow, finalGain, finalBias, lastNormed, false, 1));
        return output.probabilities(pointer(normed));
    }

    /** Causal multi-head self-attention of the first n rows of qkv ([q | k | v], heads side by side) into attended. */
    private void attention(int n) {
        int headSize = width / heads;
        FloatBuffer s = floats(scores);
        var qkvAt = pointer(qkv);
        for (int h = 0; h < heads; h++) {
            // scores = q·kᵀ / sqrt(head size), rows of the [n, n] top-left corner, leading dimension n.
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, n, headSize, (float) (1 / Math.sqrt(headSize)),
                    at(qkvAt, h * headSize), 3 * width, at(qkvAt, width + h * headSize), 3 * width,
                    0f, pointer(scores), n);
            for (int i = 0; i < n; i++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j <= i; j++) {
                    max = Math.max(max, s.get(i * n + j));
                }
                double sum = 0;
                for (int j = 0; j <= i; j++) {
                    double e = Math.exp(s.get(i * n + j) - max);
                    s.put(i * n + j, (float) e);
                    sum += e;
                }
                for (int j = 0; j < n; j++) {
                    s.put(i * n + j, j <= i ? (float) (s.get(i * n + j) / sum) : 0f);
                }
            }
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, headSize, n, 1f, pointer(scores), n,
                    at(qkvAt, 2 * width + h * headSize), 3 * width, 0f, at(pointer(attended), h * headSize), width);
        }
    }

    /** out[0..n) = in[0..n)·w + bias, row-major, w [k, m]. */
    private static void product(INDArray in, INDArray weight, float[] bias, INDArray out, int n, int k, int m) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, m, k, 1f, pointer(in), k, pointer(weight), m,
                0f, pointer(out), m);
        FloatBuffer values = floats(out);
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < m; c++) {
                values.put(r * m + c, values.get(r * m + c) + bias[c]);
            }
        }
    }

    private static void addTo(FloatBuffer target, FloatBuffer values, int length) {
        for (int i = 0; i < length; i++) {
            target.put(i, target.get(i) + values.get(i));
        }
    }

    private static INDArray rowMajor(INDArray parameter) {
        return parameter.dup('c');
    }

    private static FloatPointer at(FloatPointer start, long offset) {
        return new FloatPointer(start).position(start.position() + offset);
    }


    /** One block's parameters, row-major copies outside DL4J's workspaces. */
    private static final class Block {
        final INDArray norm1Gain;
        final INDArray norm1Bias;
        final INDArray qkvWeight;
        final float[] qkvBias;
        final INDArray attentionOutWeight;
        final float[] attentionOutBias;
        final INDArray norm2Gain;
        final INDArray norm2Bias;
        final INDArray hiddenWeight;
        final float[] hiddenBias;
        final INDArray mlpOutWeight;
        final float[] mlpOutBias;

        Block(Map<String, INDArray> p) {
            try (var ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                norm1Gain = rowMajor(p.get(TransformerBlock.NORM1_GAIN));
                norm1Bias = rowMajor(p.get(TransformerBlock.NORM1_BIAS));
                qkvWeight = rowMajor(p.get(TransformerBlock.QKV_WEIGHT));
                qkvBias = p.get(TransformerBlock.QKV_BIAS).toFloatVector();
                attentionOutWeight = rowMajor(p.get(TransformerBlock.ATTENTION_OUT_WEIGHT));
                attentionOutBias = p.get(TransformerBlock.ATTENTION_OUT_BIAS).toFloatVector();
                norm2Gain = rowMajor(p.get(TransformerBlock.NORM2_GAIN));
                norm2Bias = rowMajor(p.get(TransformerBlock.NORM2_BIAS));
                hiddenWeight = rowMajor(p.get(TransformerBlock.HIDDEN_WEIGHT));
                hiddenBias = p.get(TransformerBlock.HIDDEN_BIAS).toFloatVector();
                mlpOutWeight = rowMajor(p.get(TransformerBlock.MLP_OUT_WEIGHT));
                mlpOutBias = p.get(TransformerBlock.MLP_OUT_BIAS).toFloatVector();
            }
        }
    }
}
