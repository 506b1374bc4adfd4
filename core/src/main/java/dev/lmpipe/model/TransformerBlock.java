package dev.lmpipe.model;

import dev.lmpipe.model.runtime.CorrectedSameDiffLayer;
import dev.lmpipe.model.runtime.FastTransformerBlockLayer;
import static dev.lmpipe.model.kernel.BlockParameters.ATTENTION_OUT_BIAS;
import static dev.lmpipe.model.kernel.BlockParameters.ATTENTION_OUT_WEIGHT;
import static dev.lmpipe.model.kernel.BlockParameters.HIDDEN_BIAS;
import static dev.lmpipe.model.kernel.BlockParameters.HIDDEN_WEIGHT;
import static dev.lmpipe.model.kernel.BlockParameters.MLP_OUT_BIAS;
import static dev.lmpipe.model.kernel.BlockParameters.MLP_EXPANSION;
import static dev.lmpipe.model.kernel.BlockParameters.MLP_OUT_WEIGHT;
import static dev.lmpipe.model.kernel.BlockParameters.NORM1_BIAS;
import static dev.lmpipe.model.kernel.BlockParameters.NORM1_GAIN;
import static dev.lmpipe.model.kernel.BlockParameters.NORM2_BIAS;
import static dev.lmpipe.model.kernel.BlockParameters.NORM2_GAIN;
import static dev.lmpipe.model.kernel.BlockParameters.QKV_BIAS;
import static dev.lmpipe.model.kernel.BlockParameters.QKV_WEIGHT;

import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.InputTypeUtil;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;

/**
 * One pre-norm GPT block on a recurrent NCW input {@code [minibatch, width, T]}, as in nanoGPT:
 * {@code x = x + Wo·attention(LN1(x))}, then {@code x = x + W2·gelu(W1·LN2(x) + b1) + b2} with a hidden width of
 * {@code 4 · width}; the attention is causal multi-head self-attention with {@code heads} heads.
 *
 * <p>The sequence length must equal {@code block}: the causal mask is a constant {@code [block, block]}, and DL4J's
 * {@code SameDiffLayer} fixes its input placeholder's shape (all but the minibatch) at the first forward pass anyway.
 * With {@code dropout} above 0 a training pass drops the attention's probabilities and each residual branch's output
 * as nanoGPT does; only {@link FastTransformerBlockLayer}'s kernel knows whether a pass trains (DL4J's
 * {@code SameDiffLayer} never tells its graph), so the SameDiff path below refuses to train with dropout.
 *
 * <p>Float networks on the CPU train and infer through {@link FastTransformerBlockLayer}, the same arithmetic
 * without SameDiff. Elsewhere DL4J 1.0.0-M2.1 back-propagates twice the gradient through every
 * {@code SameDiffLayer}; the block then runs as a {@link CorrectedSameDiffLayer}, which undoes that.
 *
 * <p>DL4J rebuilds this configuration from JSON (Spark executors, {@code ModelSerializer}): every field has a public
 * getter and setter and there is a public no-arg constructor, or Jackson silently restores a field as 0.
 */
public class TransformerBlock extends SlicedSequenceLayer {
    /** Added to the scores of future positions: exp underflows to exactly 0 after the softmax's max shift. */
    static final double MASKED = -1e9;

    /** Why a block with dropout trains on lmpipe's CPU kernels only: the sentence after the setting's value. */
    public static final String DROPOUT_NEEDS_KERNELS = "the transformer block's dropout is computed by lmpipe's CPU"
            + " kernels, which train float networks on ND4J's CPU backend; with a GPU backend or -Dlmpipe.kernels=dl4j"
            + " train with model.dropout = 0";

    private int heads;
    private int layers;
    private double dropout;

    /** For Jackson only: the fields are then set through the setters. */
    public TransformerBlock() {
    }

    /**
     * @param width  the model width d (the embedding size)
     * @param heads  attention heads; must divide {@code width}
     * @param block  sequence length T, fixed
     * @param layers number of blocks in the whole network, recorded with the block. GPT-2's initialisation used it
     *               (residual projections from N(0, 0.02 / √(2 · layers))); the block now starts as PyTorch's
     *               nn.Linear does, U(±1/√fan-in), which learned faster per character on tinyshakespeare
     *               (bench/archive/RESULTS-2026-11.md, "quality per character")
     * @param dropout probability of dropping an attention probability or a residual branch's output in training
     */
    public TransformerBlock(int width, int heads, int block, int layers, double dropout) {
        super(width, block);
        this.heads = heads;
        this.layers = layers;
        this.dropout = dropout;
        validate();
    }

    private void validate() {
        if (width <= 0 || heads <= 0 || block <= 0 || layers <= 0) {
            throw new IllegalArgumentException("transformer block width, heads, block and layers must be positive, got"
                    + " width " + width + ", heads " + heads + ", block " + block + ", layers " + layers);
        }
        if (width % heads != 0) {
            throw new IllegalArgumentException("transformer width must be a multiple of heads, got width " + width
                    + " and heads " + heads);
        }
    }

    /**
     * {@link FastTransformerBlockLayer}: the block's forward and backward pass written out for float networks on the
     * CPU (SameDiff's per-op cost was most of a GPT training step), the SameDiff graph below for anything else.
     */
    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                       Collection<TrainingListener> trainingListeners, int layerIndex,
                                                       INDArray layerParamsView, boolean initializeParams,
                                                       DataType networkDataType) {
        return FastTransformerBlockLayer.create(conf, layerIndex, layerParamsView, initializeParams, networkDataType);
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        // Also checked here: Jackson fills the fields through the setters, bypassing the constructor.
        validate();
        params.clear();
        int hidden = MLP_EXPANSION * width;
        params.addWeightParam(QKV_WEIGHT, width, 3L * width);
        params.addWeightParam(ATTENTION_OUT_WEIGHT, width, width);
        params.addWeightParam(HIDDEN_WEIGHT, width, hidden);
        params.addWeightParam(MLP_OUT_WEIGHT, hidden, width);
        params.addBiasParam(QKV_BIAS, 3L * width);
        params.addBiasParam(ATTENTION_OUT_BIAS, width);
        params.addBiasParam(HIDDEN_BIAS, hidden);
        params.addBiasParam(MLP_OUT_BIAS, width);
        // The norms' gains are "bias" parameters for DL4J, so that weight decay (which DL4J applies to weight
        // parameters only) leaves them alone, as nanoGPT does. layerNorm wants rank-1 gain and bias.
        params.addBiasParam(NORM1_GAIN, width);
        params.addBiasParam(NORM1_BIAS, width);
        params.addBiasParam(NORM2_GAIN, width);
        params.addBiasParam(NORM2_BIAS, width);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            for (var entry : params.entrySet()) {
                INDArray param = entry.getValue();
                switch (entry.getKey()) {
                    // Each linear map's weights and bias from U(±1/√fan-in), as PyTorch's nn.Linear starts.
                    case QKV_WEIGHT, HIDDEN_WEIGHT, ATTENTION_OUT_WEIGHT, MLP_OUT_WEIGHT ->
                            Networks.uniform(param, 1 / Math.sqrt(param.size(0)));
                    case QKV_BIAS, HIDDEN_BIAS, ATTENTION_OUT_BIAS -> Networks.uniform(param, 1 / Math.sqrt(width));
                    case MLP_OUT_BIAS -> Networks.uniform(param, 1 / Math.sqrt(MLP_EXPANSION * width));
                    case NORM1_GAIN, NORM2_GAIN -> param.assign(1);
                    default -> param.assign(0);
                }
            }
        }
    }



    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable layerInput, Map<String, SDVariable> p, SDVariable mask) {
        SDVariable x = sd.permute(layerInput, 0, 2, 1);                                  // [mb, T, d]
        SDVariable normed = sd.nn.layerNorm(x, p.get(NORM1_GAIN), p.get(NORM1_BIAS), false, 2);
        x = x.add(linear(sd, attention(sd, normed, p), p.get(ATTENTION_OUT_WEIGHT), p.get(ATTENTION_OUT_BIAS)));
        normed = sd.nn.layerNorm(x, p.get(NORM2_GAIN), p.get(NORM2_BIAS), false, 2);
        SDVariable hidden = sd.nn.gelu(linear(sd, normed, p.get(HIDDEN_WEIGHT), p.get(HIDDEN_BIAS)));
        x = x.add(linear(sd, hidden, p.get(MLP_OUT_WEIGHT), p.get(MLP_OUT_BIAS)));
        return sd.permute(x, 0, 2, 1);                                                   // [mb, d, T]
    }

    /** Causal multi-head self-attention of {@code [mb, T, d]}, heads concatenated again: {@code [mb, T, d]}. */
    private SDVariable attention(SameDiff sd, SDVariable x, Map<String, SDVariable> p) {
        int headSize = width / heads;
        SDVariable qkv = linear(sd, x, p.get(QKV_WEIGHT), p.get(QKV_BIAS));              // [mb, T, 3d]
        qkv = sd.permute(sd.reshape(qkv, -1, block, 3, heads, headSize), 2, 0, 3, 1, 4); // [3, mb, h, T, hs]
        // unstack, not qkv.get(SDIndex.point(i)): in M2.1 the point index's backward pass fails for minibatches 1
        // and 2 ("Op with name strided_slice_bp ... execution failed with message Op validation failed").
        SDVariable[] parts = sd.unstack(qkv, 0, 3);                                      // 3 × [mb, h, T, hs]
        SDVariable scores = sd.mmul(parts[0], parts[1], false, true, false)             // [mb, h, T, T]
                .mul(1.0 / Math.sqrt(headSize))
                .add(sd.constant(causalMask(block, x.dataType())));
        SDVariable weights = sd.nn.softmax(scores, 3);
        SDVariable attended = sd.mmul(weights, parts[2]);                                // [mb, h, T, hs]
        return sd.reshape(sd.permute(attended, 0, 2, 1, 3), -1, block, width);          // [mb, T, d]
    }

    /** {@code x·w + b} for {@code x} of shape [mb, T, in]; as 2-D matrix products, which every backend supports. */
    private SDVariable linear(SameDiff sd, SDVariable x, SDVariable weight, SDVariable bias) {
        long in = weight.getShape()[0];
        long out = weight.getShape()[1];
        SDVariable rows = sd.reshape(x, -1, in);
        return sd.reshape(rows.mmul(weight).add(bias), -1, block, out);
    }

    /** {@code [T, T]}: 0 where a query may see a key (key ≤ query), {@link #MASKED} where it may not. */
    static INDArray causalMask(int steps, DataType dataType) {
        INDArray mask = Nd4j.zeros(dataType, steps, steps);
        for (int query = 0; query < steps; query++) {
            for (int key = query + 1; key < steps; key++) {
                mask.putScalar(query, key, MASKED);
            }
        }
        return mask;
    }

    public int getHeads() {
        return heads;
    }

    public void setHeads(int heads) {
        this.heads = heads;
    }

    public double getDropout() {
        return dropout;
    }

    public void setDropout(double dropout) {
        this.dropout = dropout;
    }

    public int getLayers() {
        return layers;
    }

    public void setLayers(int layers) {
        this.layers = layers;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof TransformerBlock other) || !super.equals(o)) {
            return false;
        }
        return heads == other.heads && layers == other.layers && dropout == other.dropout;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), heads, layers, dropout);
    }
}
