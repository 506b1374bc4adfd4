package dev.lmpipe.model.kernel;


import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.lmpipe.model.kernel.BlockParameters.ATTENTION_OUT_BIAS;
import static dev.lmpipe.model.kernel.BlockParameters.ATTENTION_OUT_WEIGHT;
import static dev.lmpipe.model.kernel.BlockParameters.HIDDEN_BIAS;
import static dev.lmpipe.model.kernel.BlockParameters.HIDDEN_WEIGHT;
import static dev.lmpipe.model.kernel.BlockParameters.MLP_OUT_BIAS;
import static dev.lmpipe.model.kernel.BlockParameters.MLP_OUT_WEIGHT;
import static dev.lmpipe.model.kernel.BlockParameters.NORM1_BIAS;
import static dev.lmpipe.model.kernel.BlockParameters.NORM1_GAIN;
import static dev.lmpipe.model.kernel.BlockParameters.NORM2_BIAS;
import static dev.lmpipe.model.kernel.BlockParameters.NORM2_GAIN;
import static dev.lmpipe.model.kernel.BlockParameters.QKV_BIAS;
import static dev.lmpipe.model.kernel.BlockParameters.QKV_WEIGHT;
import static org.bytedeco.openblas.global.openblas.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas.CblasTrans;
import static org.bytedeco.openblas.global.openblas.cblas_sgemm;
import static org.bytedeco.openblas.global.openblas.cblas_sgemv;

/**
 * The forward and backward pass of one {@code TransformerBlock} for one input shape, written out: every matrix
 * product one OpenBLAS call, LayerNorm ({@link RowNorm}), GELU, the causal softmax and their derivatives in Java,
 * the forward pass's intermediate values kept for the backward pass. The same arithmetic as the block's SameDiff
 * graph (ND4J's {@code layer_norm}: population variance, no epsilon; ND4J's {@code gelu}: {@code x·sigmoid(1.702·x)};
 * masked scores have probability exactly 0), without SameDiff's per-op cost, which made up most of a GPT training
 * step.
 *
 * <p>A training pass may drop values where nanoGPT does ({@link DropoutMasks}): the attention's probabilities after
 * the softmax, and each residual branch's output (the attention's projection, the MLP's output) before it is added
 * to the residual stream; the residual stream itself is never dropped.
 *
 * <p>Rows are positions, example-major: row {@code b·T + t}; every buffer is row-major host memory outside DL4J's
 * workspaces, reused from minibatch to minibatch. Not thread-safe.
 */
public final class TransformerBlockKernel {
    private final int minibatch;
    private final int steps;
    private final int width;
    private final int heads;
    private final int headSize;
    private final int hiddenWidth;
    private final int rows;

    // The weights where OpenBLAS reads them: DL4J's parameter views themselves, which are row-major and contiguous
    // in DL4J's networks, or copies made at every forward pass where a view is not.
    private final Weight qkvWeight;
    private final Weight attentionOutWeight;
    private final Weight hiddenWeight;
    private final Weight mlpOutWeight;
    private float[] norm1Gain;
    private float[] norm1Bias;
    private float[] qkvBias;
    private float[] attentionOutBias;
    private float[] norm2Gain;
    private float[] norm2Bias;
    private float[] hiddenBias;
    private float[] mlpOutBias;

    // Forward pass: x → LN1 → qkv → attention → x2 = x + Wo·att + bo → LN2 → u = W1·n2 + b1 → gelu
    // → y = x2 + W2·gelu(u) + b2.
    private final Floats x;             // [N, d]
    private final Floats normalized1;   // [N, d] (x - mean) / std
    private final Floats normed1;       // [N, d] normalized1 · gain + bias
    private final float[] inverseStd1;  // [N]
    private final Floats qkv;           // [N, 3d]: q | k | v, heads side by side within each
    private final Floats probabilities; // [B, H, T, T], each head's transposed: [key, query]
    private final Floats attended;      // [N, d]
    private final Floats x2;            // [N, d]
    private final Floats normalized2;
    private final Floats normed2;
    private final float[] inverseStd2;
    private final Floats geluSlopes;    // [N, 4d] gelu'(u)
    private final Floats activation;    // [N, 4d] u, then gelu(u) in its place
    private final Floats y;             // [N, d]
    private final RowNorm norm;
    // One row of the MLP's hidden layer in Java arrays, where GELU's loops compile to vector instructions; the
    // first two also hold rows of the residual stream and a branch.
    private final float[] rowValues;
    private final float[] rowBranch;
    private final float[] rowSlopes;
    // One head's [T, T] scores or probabilities, and their gradient, transposed, in Java arrays for the softmax.
    private final float[] headScores;
    private final float[] headGradient;
    private final CausalSoftmax.Transposed softmax;

    // Dropout of the last forward pass, made at the first pass that drops. One head's probabilities after dropout
    // are made again wherever a product needs them, from the probabilities and the mask, rather than kept.
    private boolean dropping;
    private float[] attentionMask;      // [B·H·T·T], transposed as the probabilities
    private float[] attentionOutMask;   // [N·d] of the attention branch's output
    private float[] mlpOutMask;         // [N·d] of the MLP branch's output
    private DroppedHead droppedHead;

    private Backward backward;

    public TransformerBlockKernel(int minibatch, int steps, int width, int heads) {
        this.minibatch = minibatch;
        this.steps = steps;
        this.width = width;
        this.heads = heads;
        this.headSize = width / heads;
        this.hiddenWidth = BlockParameters.MLP_EXPANSION * width;
        this.rows = minibatch * steps;
        qkvWeight = new Weight(QKV_WEIGHT);
        attentionOutWeight = new Weight(ATTENTION_OUT_WEIGHT);
        hiddenWeight = new Weight(HIDDEN_WEIGHT);
        mlpOutWeight = new Weight(MLP_OUT_WEIGHT);
        x = new Floats(rows, width);
        normalized1 = new Floats(rows, width);
        normed1 = new Floats(rows, width);
        inverseStd1 = new float[rows];
        qkv = new Floats(rows, 3L * width);
        probabilities = new Floats((long) minibatch * heads, (long) steps * steps);
        attended = new Floats(rows, width);
        x2 = new Floats(rows, width);
        normalized2 = new Floats(rows, width);
        normed2 = new Floats(rows, width);
        inverseStd2 = new float[rows];
        geluSlopes = new Floats(rows, hiddenWidth);
        activation = new Floats(rows, hiddenWidth);
        y = new Floats(rows, width);
        norm = new RowNorm(width);
        rowValues = new float[hiddenWidth];
        rowBranch = new float[hiddenWidth];
        rowSlopes = new float[hiddenWidth];
        headScores = new float[steps * steps];
        headGradient = new float[steps * steps];
        softmax = new CausalSoftmax.Transposed(steps);
    }

    public boolean fits(long[] inputShape) {
        return inputShape[0] == minibatch && inputShape[1] == width && inputShape[2] == steps;
    }

    /**
     * The block's output for {@code input} ([B, d, T], NCW) with these parameters, as rows [B, T, d]: a view of a
     * buffer of this pass.
     *
     * @param dropout      the masks of a training pass that drops, or null
     * @param firstExample the index of this input's first example in the whole minibatch, which the masks depend on
     */
    public INDArray forward(INDArray input, Map<String, INDArray> params, DropoutMasks dropout, int firstExample) {
        pass(input, y, params, dropout, firstExample);
        return asRows3d(y);
    }

    /**
     * {@link #forward(INDArray, Map, DropoutMasks, int)} into {@code outputRows} ([B, T, d], 'c' order): written there
     * directly, not copied from a buffer of this pass.
     */
    public void forward(INDArray input, INDArray outputRows, Map<String, INDArray> params, DropoutMasks dropout,
                        int firstExample) {
        Floats out = Floats.view(outputRows);
        pass(input, out != null ? out : y, params, dropout, firstExample);
        if (out == null) {
            outputRows.assign(asRows3d(y));
        }
    }

    /**
     * The forward pass into {@code out}. The input is read where it lies when it is a view of rows, as the layer
     * below hands it over, else from a copy: the backward pass never reads it again.
     */
    private void pass(INDArray input, Floats out, Map<String, INDArray> params, DropoutMasks dropout,
                      int firstExample) {
        load(params);
        drawMasks(dropout, firstExample);
        Floats x = rowsOf(input, this.x);
        norm.forward(rows, x.data, normalized1.data, inverseStd1, norm1Gain, norm1Bias, normed1.data);
        fillRows(qkv, qkvBias);
        gemm(false, false, rows, 3 * width, width, 1f, normed1.at(0), width, qkvWeight.at(0), 3 * width,
                1f, qkv.at(0), 3 * width);
        attention();
        residual(x, attended, width, attentionOutWeight, attentionOutBias, attentionOutMask, x2);
        norm.forward(rows, x2.data, normalized2.data, inverseStd2, norm2Gain, norm2Bias, normed2.data);
        // u without its bias, which GELU's pass adds as it reads each row: the same sum as the product's onto rows
        // filled with the bias, without writing and reading [N, 4d] once more.
        gemm(false, false, rows, hiddenWidth, width, 1f, normed2.at(0), width, hiddenWeight.at(0), hiddenWidth,
                0f, activation.at(0), hiddenWidth);
        gelu();
        residual(x2, activation, hiddenWidth, mlpOutWeight, mlpOutBias, mlpOutMask, out);
    }

    /** {@link #forward(INDArray, Map, DropoutMasks, int)} without dropout. */
    public INDArray forward(INDArray input, Map<String, INDArray> params) {
        return forward(input, params, null, 0);
    }

    /**
     * out = stream + branch, the branch {@code in·weight + bias} ({@code in} of {@code inWidth} columns): one
     * product accumulating onto the stream and the bias, or with dropout the branch into out, then masked and the
     * stream added in place.
     */
    private void residual(Floats stream, Floats in, int inWidth, Weight weight, float[] bias, float[] mask,
                          Floats out) {
        if (!dropping) {
            addRows(stream, bias, out);
            gemm(false, false, rows, width, inWidth, 1f, in.at(0), inWidth, weight.at(0), width, 1f, out.at(0), width);
            return;
        }
        fillRows(out, bias);
        gemm(false, false, rows, width, inWidth, 1f, in.at(0), inWidth, weight.at(0), width, 1f, out.at(0), width);
        float[] streamRow = rowValues;
        float[] branchRow = rowBranch;
        for (int r = 0; r < rows; r++) {
            int at = r * width;
            stream.data.get(at, streamRow, 0, width);
            out.data.get(at, branchRow, 0, width);
            for (int j = 0; j < width; j++) {
                streamRow[j] += branchRow[j] * mask[at + j];
            }
            out.data.put(at, streamRow, 0, width);
        }
    }

    /** This pass's masks, example by example; none when {@code dropout} is null. */
    private void drawMasks(DropoutMasks dropout, int firstExample) {
        dropping = dropout != null;
        if (!dropping) {
            return;
        }
        if (attentionMask == null) {
            try (var ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                attentionMask = new float[minibatch * heads * steps * steps];
                attentionOutMask = new float[rows * width];
                mlpOutMask = new float[rows * width];
                droppedHead = new DroppedHead(new float[steps * steps], new Floats(steps, steps));
            }
        }
        int scores = heads * steps * steps;
        int values = steps * width;
        for (int b = 0; b < minibatch; b++) {
            var random = dropout.forExample(firstExample + b);
            dropout.fillCausalTransposed(attentionMask, b * scores, heads, steps, random);
            dropout.fill(attentionOutMask, b * values, values, random);
            dropout.fill(mlpOutMask, b * values, values, random);
        }
    }

    /**
     * Gradients of the last {@link #forward}, given the gradient of its output ({@code [B, d, T]}): the parameters'
     * by name (arrays of the parameters' shapes), and the input's ({@link Backward#inputGradient}).
     */
    public Backward backward(INDArray outputGradient, Map<String, INDArray> params) {
        return backward(outputGradient, null, params);
    }

    /**
     * {@link #backward(INDArray, Map)}, writing the input's gradient into {@code inputGradientRows} ([B, T, d], 'c'
     * order), directly where it can, instead of into a buffer of this pass; null: into that buffer.
     */
    public Backward backward(INDArray outputGradient, INDArray inputGradientRows, Map<String, INDArray> params) {
        if (backward == null) {
            try (var ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                backward = new Backward(params);
            }
        }
        var g = backward;
        var t = Temporaries.borrow(rows, steps, width);
        try {
            backward(g, t, outputGradient, inputGradientRows);
        } finally {
            t.release();
        }
        return g;
    }

    private void backward(Backward g, Temporaries t, INDArray outputGradient, INDArray inputGradientRows) {
        // Read where it lies when it is a view of rows: this pass only reads it.
        Floats dy = rowsOf(outputGradient, g.dy);
        Floats inputGradient = inputGradientRows == null ? null : Floats.view(inputGradientRows);
        // y = x2 + drop(gelu(u)·W2 + b2): the branch's gradient is dy, masked where it was dropped.
        Floats dBranch = masked(dy, mlpOutMask, t.dBranch);
        gemm(true, false, hiddenWidth, width, rows, 1f, activation.at(0), hiddenWidth, dBranch.at(0), width,
                0f, g.mlpOutWeight.at(0), width);
        columnSums(dBranch, width, g.mlpOutBias, t.ones);
        gemm(false, true, rows, hiddenWidth, width, 1f, dBranch.at(0), width, mlpOutWeight.at(0), width,
                0f, t.dHidden.at(0), hiddenWidth);
        geluBackward(t.dHidden);
        // u = LN2(x2)·W1 + b1
        gemm(true, false, width, hiddenWidth, rows, 1f, normed2.at(0), width, t.dHidden.at(0), hiddenWidth,
                0f, g.hiddenWeight.at(0), hiddenWidth);
        columnSums(t.dHidden, hiddenWidth, g.hiddenBias, t.ones);
        gemm(false, true, rows, width, hiddenWidth, 1f, t.dHidden.at(0), hiddenWidth, hiddenWeight.at(0),
                hiddenWidth, 0f, t.dNormed.at(0), width);
        norm.backward(rows, t.dNormed.data, normalized2.data, inverseStd2, norm2Gain, dy.data, g.norm2Gain.data,
                g.norm2Bias.data, t.dx2.data);
        // x2 = x + drop(attention·Wo + bo)
        dBranch = masked(t.dx2, attentionOutMask, t.dBranch);
        gemm(true, false, width, width, rows, 1f, attended.at(0), width, dBranch.at(0), width,
                0f, g.attentionOutWeight.at(0), width);
        columnSums(dBranch, width, g.attentionOutBias, t.ones);
        gemm(false, true, rows, width, width, 1f, dBranch.at(0), width, attentionOutWeight.at(0), width,
                0f, t.dAttended.at(0), width);
        attentionBackward(t);
        // qkv = LN1(x)·Wqkv + bqkv
        gemm(true, false, width, 3 * width, rows, 1f, normed1.at(0), width, t.dQkv.at(0), 3 * width,
                0f, g.qkvWeight.at(0), 3 * width);
        columnSums(t.dQkv, 3 * width, g.qkvBias, t.ones);
        gemm(false, true, rows, width, 3 * width, 1f, t.dQkv.at(0), 3 * width, qkvWeight.at(0), 3 * width,
                0f, t.dNormed.at(0), width);
        // The input's gradient goes where it was asked for, or into dy's buffer, free again by now.
        Floats dx = inputGradient != null ? inputGradient : g.dy;
        norm.backward(rows, t.dNormed.data, normalized1.data, inverseStd1, norm1Gain, t.dx2.data, g.norm1Gain.data,
                g.norm1Bias.data, dx.data);
        if (inputGradientRows != null && inputGradient == null) {
            inputGradientRows.assign(asRows3d(g.dy));
        }
    }

    /** {@code gradient} where the last pass kept nothing out, else {@code gradient ∘ mask} in {@code into}. */
    private Floats masked(Floats gradient, float[] mask, Floats into) {
        if (!dropping) {
            return gradient;
        }
        float[] row = rowValues;
        for (int r = 0; r < rows; r++) {
            int at = r * width;
            gradient.data.get(at, row, 0, width);
            for (int j = 0; j < width; j++) {
                row[j] *= mask[at + j];
            }
            into.data.put(at, row, 0, width);
        }
        return into;
    }

    /**
     * The input's gradient after {@link #backward(INDArray, Map)}, as rows [B, T, d]: a view of a buffer of this pass.
     * Not after a backward pass that wrote it into an array of the caller's.
     */
    public INDArray inputGradient() {
        return asRows3d(backward.dy);
    }

    private void load(Map<String, INDArray> params) {
        qkvWeight.load(params);
        attentionOutWeight.load(params);
        hiddenWeight.load(params);
        mlpOutWeight.load(params);
        norm1Gain = vector(params.get(NORM1_GAIN), norm1Gain);
        norm1Bias = vector(params.get(NORM1_BIAS), norm1Bias);
        qkvBias = vector(params.get(QKV_BIAS), qkvBias);
        attentionOutBias = vector(params.get(ATTENTION_OUT_BIAS), attentionOutBias);
        norm2Gain = vector(params.get(NORM2_GAIN), norm2Gain);
        norm2Bias = vector(params.get(NORM2_BIAS), norm2Bias);
        hiddenBias = vector(params.get(HIDDEN_BIAS), hiddenBias);
        mlpOutBias = vector(params.get(MLP_OUT_BIAS), mlpOutBias);
    }

    /** The parameter's values in {@code into} (made when null): one bulk copy where the view is contiguous. */
    private static float[] vector(INDArray parameter, float[] into) {
        if (!contiguous(parameter)) {
            return parameter.toFloatVector();
        }
        float[] values = into != null && into.length == parameter.length() ? into : new float[(int) parameter.length()];
        HostMemory.pointer(parameter).get(values);
        return values;
    }

    /** Whether the array's floats lie row-major, one after the other, where its host pointer starts. */
    private static boolean contiguous(INDArray array) {
        return array.dataType() == DataType.FLOAT && array.ordering() == 'c' && Shape.hasDefaultStridesForShape(array);
    }

    /**
     * The rows [B·T, d] of an NCW array [B, d, T]: the array's own memory when it is a view of contiguous rows, as
     * the layers around hand them over, else {@code own} with them copied in (one ND4J copy of a permuted view).
     */
    private Floats rowsOf(INDArray ncw, Floats own) {
        INDArray rowsView = HostMemory.rowsView(ncw);
        Floats view = rowsView == null ? null : Floats.view(rowsView);
        if (view != null) {
            return view;
        }
        asRows3d(own).assign(ncw.permute(0, 2, 1));
        return own;
    }

    /** Rows [B·T, d] as [B, T, d]. */
    private INDArray asRows3d(Floats rowData) {
        return rowData.array.reshape(minibatch, steps, width);
    }

    /**
     * Causal multi-head self-attention of qkv into attended, keeping the probabilities (and what dropout kept). Each
     * head's scores are computed transposed, k·qᵀ, a row per key (CausalSoftmax.Transposed says why).
     */
    private void attention() {
        float scale = (float) (1 / Math.sqrt(headSize));
        FloatBuffer p = probabilities.data;
        for (int b = 0; b < minibatch; b++) {
            long qkvRows = (long) b * steps * 3 * width;
            for (int h = 0; h < heads; h++) {
                long at = ((long) b * heads + h) * steps * steps;
                // Sᵀ = scale·k·qᵀ
                gemm(false, true, steps, steps, headSize, scale, qkv.at(qkvRows + width + h * headSize), 3 * width,
                        qkv.at(qkvRows + h * headSize), 3 * width, 0f, probabilities.at(at), steps);
                p.get((int) at, headScores);
                softmax.forward(headScores);
                p.put((int) at, headScores);
                var weights = dropping ? dropped(headScores, (int) at) : probabilities.at(at);
                // attended = P·v = (Pᵀ)ᵀ·v
                gemm(true, false, steps, headSize, steps, 1f, weights, steps,
                        qkv.at(qkvRows + 2L * width + h * headSize), 3 * width,
                        0f, attended.at((long) b * steps * width + h * headSize), width);
            }
        }
    }

    /**
     * One head's probabilities ({@code headProbabilities}, its transposed [T, T] from {@code at}) after this pass's
     * dropout, in {@link #droppedHead}; {@code headProbabilities} is left as it is.
     */
    private FloatPointer dropped(float[] headProbabilities, int at) {
        float[] kept = droppedHead.values;
        for (int i = 0; i < kept.length; i++) {
            kept[i] = headProbabilities[i] * attentionMask[at + i];
        }
        droppedHead.floats.data.put(0, kept);
        return droppedHead.floats.at(0);
    }

    /**
     * dAttended → dQkv: through P·v (P after dropout), dropout, the softmax and the scaled q·kᵀ, head by head, on
     * the transposed probabilities and their gradients.
     */
    private void attentionBackward(Temporaries t) {
        float scale = (float) (1 / Math.sqrt(headSize));
        FloatBuffer p = probabilities.data;
        FloatBuffer dp = t.dScores.data;
        for (int b = 0; b < minibatch; b++) {
            long qkvRows = (long) b * steps * 3 * width;
            long attendedRows = (long) b * steps * width;
            for (int h = 0; h < heads; h++) {
                long at = ((long) b * heads + h) * steps * steps;
                var dAttended = t.dAttended.at(attendedRows + h * headSize);
                var q = qkvRows + h * headSize;
                var k = qkvRows + width + h * headSize;
                var v = qkvRows + 2L * width + h * headSize;
                p.get((int) at, headScores);
                var weights = dropping ? dropped(headScores, (int) at) : probabilities.at(at);
                // dPᵀ = v·dAttendedᵀ; dv = Pᵀ·dAttended
                gemm(false, true, steps, steps, headSize, 1f, qkv.at(v), 3 * width, dAttended, width,
                        0f, t.dScores.at(0), steps);
                gemm(false, false, steps, headSize, steps, 1f, weights, steps, dAttended, width,
                        0f, t.dQkv.at(v), 3 * width);
                dp.get(0, headGradient);
                if (dropping) {
                    for (int i = 0; i < headGradient.length; i++) {
                        headGradient[i] *= attentionMask[(int) at + i];
                    }
                }
                softmax.backward(headGradient, headScores);
                dp.put(0, headGradient);
                // S = scale·q·kᵀ: dq = scale·dS·k = scale·(dSᵀ)ᵀ·k, dk = scale·dSᵀ·q
                gemm(true, false, steps, headSize, steps, scale, t.dScores.at(0), steps, qkv.at(k), 3 * width,
                        0f, t.dQkv.at(q), 3 * width);
                gemm(false, false, steps, headSize, steps, scale, t.dScores.at(0), steps, qkv.at(q), 3 * width,
                        0f, t.dQkv.at(k), 3 * width);
            }
        }
    }

    /**
     * activation = gelu(u) = u·sigmoid(1.702·u) in place of u's product part, u = that + the hidden bias, keeping
     * GELU's derivative at u for the backward pass; a row at a time. The derivative is all the backward pass needs of
     * u: kept instead of the sigmoids, the backward pass reads one [N, 4d] array instead of two, with the same
     * arithmetic; and u needs no array of its own, so each row is written back where it was just read, still in
     * cache.
     */
    private void gelu() {
        for (int r = 0; r < rows; r++) {
            int at = r * hiddenWidth;
            activation.data.get(at, rowValues);
            for (int j = 0; j < hiddenWidth; j++) {
                rowValues[j] += hiddenBias[j];
            }
            Sigmoid.gelu(rowValues, rowSlopes, hiddenWidth);
            geluSlopes.data.put(at, rowSlopes);
            activation.data.put(at, rowValues);
        }
    }

    private void geluBackward(Floats gradient) {
        for (int r = 0; r < rows; r++) {
            int at = r * hiddenWidth;
            gradient.data.get(at, rowValues);
            geluSlopes.data.get(at, rowSlopes);
            for (int i = 0; i < hiddenWidth; i++) {
                rowValues[i] *= rowSlopes[i];
            }
            gradient.data.put(at, rowValues);
        }
    }

    /** Every row of target = bias. */
    private void fillRows(Floats target, float[] bias) {
        FloatBuffer t = target.data;
        for (int r = 0; r < rows; r++) {
            t.put(r * bias.length, bias);
        }
    }

    /** out = in + bias on every row. */
    private void addRows(Floats in, float[] bias, Floats out) {
        float[] row = rowValues;
        for (int r = 0; r < rows; r++) {
            int at = r * bias.length;
            in.data.get(at, row, 0, bias.length);
            for (int j = 0; j < bias.length; j++) {
                row[j] += bias[j];
            }
            out.data.put(at, row, 0, bias.length);
        }
    }

    /** out = the sum of every row of matrix ([N, columns]): a product with a vector of ones, in OpenBLAS. */
    private void columnSums(Floats matrix, int columns, Floats out, Floats ones) {
        cblas_sgemv(CblasRowMajor, CblasTrans, rows, columns, 1f, matrix.at(0), columns, ones.at(0), 1,
                0f, out.at(0), 1);
    }

    /** C = alpha·op(A)·op(B) + beta·C, row-major, in OpenBLAS. */
    private static void gemm(boolean transposeA, boolean transposeB, int m, int n, int k, float alpha,
                             FloatPointer a, int lda, FloatPointer b, int ldb, float beta, FloatPointer c, int ldc) {
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    /**
     * What the backward pass leaves for its caller, the parameters' gradients and the input's, made at its first
     * call: a network that only infers never needs them. Its temporaries are {@link Temporaries}.
     */
    public final class Backward {
        private final Floats dy = new Floats(rows, width);
        private final Floats qkvWeight = new Floats(width, 3L * width);
        private final Floats attentionOutWeight = new Floats(width, width);
        private final Floats hiddenWeight = new Floats(width, hiddenWidth);
        private final Floats mlpOutWeight = new Floats(hiddenWidth, width);
        private final Floats norm1Gain = new Floats(width);
        private final Floats norm1Bias = new Floats(width);
        private final Floats qkvBias = new Floats(3L * width);
        private final Floats attentionOutBias = new Floats(width);
        private final Floats norm2Gain = new Floats(width);
        private final Floats norm2Bias = new Floats(width);
        private final Floats hiddenBias = new Floats(hiddenWidth);
        private final Floats mlpOutBias = new Floats(width);
        /** Parameter name → its gradient, shaped as the parameter. */
        public final Map<String, INDArray> parameterGradients = new LinkedHashMap<>();

        private Backward(Map<String, INDArray> params) {
            put(params, QKV_WEIGHT, qkvWeight);
            put(params, ATTENTION_OUT_WEIGHT, attentionOutWeight);
            put(params, HIDDEN_WEIGHT, hiddenWeight);
            put(params, MLP_OUT_WEIGHT, mlpOutWeight);
            put(params, NORM1_GAIN, norm1Gain);
            put(params, NORM1_BIAS, norm1Bias);
            put(params, QKV_BIAS, qkvBias);
            put(params, ATTENTION_OUT_BIAS, attentionOutBias);
            put(params, NORM2_GAIN, norm2Gain);
            put(params, NORM2_BIAS, norm2Bias);
            put(params, HIDDEN_BIAS, hiddenBias);
            put(params, MLP_OUT_BIAS, mlpOutBias);
        }

        private void put(Map<String, INDArray> params, String name, Floats gradient) {
            parameterGradients.put(name, gradient.array.reshape(params.get(name).shape()));
        }
    }

    /**
     * The values a backward pass needs only while it runs, shared by the kernels whose backward passes run one after
     * the other: a network's blocks then write and read the same few megabytes, still in cache from the block before,
     * where buffers of each block's own came from memory (one block's are larger than a core's L2). Borrowed for one
     * backward pass from a pool per shape, the set the same thread used last first, so any number of kernels, slices
     * and networks may run at once. Not a thread-local: the fork-join pool's threads forget theirs after every task.
     */
    private static final class Temporaries {
        private static final Map<List<Integer>, List<Temporaries>> IDLE = new HashMap<>();

        private final List<Integer> shape;
        private final Floats dHidden;
        private final Floats dNormed;
        private final Floats dx2;
        private final Floats dBranch;
        private final Floats dAttended;
        private final Floats dQkv;
        private final Floats dScores;
        private final Floats ones;
        private Thread lastUser;

        private Temporaries(List<Integer> shape, int rows, int steps, int width) {
            this.shape = shape;
            dHidden = new Floats(rows, (long) BlockParameters.MLP_EXPANSION * width);
            dNormed = new Floats(rows, width);
            dx2 = new Floats(rows, width);
            dBranch = new Floats(rows, width);
            dAttended = new Floats(rows, width);
            dQkv = new Floats(rows, 3L * width);
            dScores = new Floats(steps, steps);
            ones = new Floats(rows);
            ones.array.assign(1);
        }

        /** A set for rows of this many positions and this width, windows of this many steps, until {@link #release}. */
        static Temporaries borrow(int rows, int steps, int width) {
            var shape = List.of(rows, steps, width);
            Thread caller = Thread.currentThread();
            synchronized (IDLE) {
                var idle = IDLE.computeIfAbsent(shape, s -> new ArrayList<>());
                for (int i = idle.size() - 1; i >= 0; i--) {
                    if (idle.get(i).lastUser == caller) {
                        return idle.remove(i);
                    }
                }
                if (!idle.isEmpty()) {
                    return idle.remove(idle.size() - 1);
                }
            }
            try (var ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                return new Temporaries(shape, rows, steps, width);
            }
        }

        void release() {
            lastUser = Thread.currentThread();
            synchronized (IDLE) {
                IDLE.get(shape).add(this);
            }
        }
    }

    /** One head's [T, T] probabilities after dropout: made in the Java array, read by OpenBLAS from the floats. */
    private record DroppedHead(float[] values, Floats floats) {
    }

    /** A weight matrix as OpenBLAS reads it in this pass: the parameter's own memory, or a row-major copy. */
    private static final class Weight {
        private final String name;
        private FloatPointer start;
        private Floats copy;

        Weight(String name) {
            this.name = name;
        }

        void load(Map<String, INDArray> params) {
            INDArray parameter = params.get(name);
            if (contiguous(parameter)) {
                start = HostMemory.pointer(parameter);
                return;
            }
            if (copy == null) {
                try (var ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                    copy = new Floats(parameter.shape());
                }
            }
            copy.array.assign(parameter);
            start = copy.at(0);
        }

        FloatPointer at(long offset) {
            return new FloatPointer(start).position(offset);
        }
    }

    /** A float array in host memory with its Java view and its address for OpenBLAS. */
    private static final class Floats {
        final INDArray array;
        final FloatBuffer data;
        private final FloatPointer start;

        Floats(long... shape) {
            this(Nd4j.create(DataType.FLOAT, shape));
        }

        private Floats(INDArray array) {
            this.array = array;
            data = HostMemory.elements(array);
            start = HostMemory.pointer(array);
        }

        /** Another array's floats, or null where they do not lie row-major and contiguous from its first. */
        static Floats view(INDArray array) {
            return contiguous(array) ? new Floats(array) : null;
        }

        /** The address {@code offset} floats in. */
        FloatPointer at(long offset) {
            return new FloatPointer(start).position(offset);
        }
    }
}
