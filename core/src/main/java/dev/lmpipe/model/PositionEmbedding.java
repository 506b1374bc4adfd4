package dev.lmpipe.model;

import dev.lmpipe.model.runtime.CorrectedSameDiffLayer;
import dev.lmpipe.model.runtime.FastPositionEmbeddingLayer;

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
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Collection;
import java.util.Map;
import java.util.Objects;

/**
 * Adds a learned position embedding to a sequence of token embeddings: {@code out = in + pos}, where the input is
 * recurrent NCW {@code [minibatch, width, T]} and {@code pos} is a parameter of shape {@code [width, block]},
 * broadcast over the minibatch (GPT-2's {@code wpe}).
 *
 * <p>The sequence length must equal {@code block}: the parameter has one column per position, and DL4J's
 * {@code SameDiffLayer} fixes its input placeholder's shape (all but the minibatch) at the first forward pass anyway.
 * Feed fixed-length windows of {@code block} steps, for training and for generation alike.
 *
 * <p>It runs as a {@link CorrectedSameDiffLayer}, which undoes DL4J 1.0.0-M2.1's doubled gradient.
 *
 * <p>DL4J rebuilds this configuration from JSON (Spark executors, {@code ModelSerializer}): every field has a public
 * getter and setter and there is a public no-arg constructor, or Jackson silently restores a field as 0.
 */
public class PositionEmbedding extends SequenceLayer {
    /** Parameter name; DL4J splits gradient keys {@code <layer>_<param>} at the last '_', so none in names. */
    public static final String POSITIONS = "pos";
    /** Standard deviation of the initial weights, as in GPT-2. */
    static final double INIT_STD = 0.02;

    /** For Jackson only: the fields are then set through the setters. */
    public PositionEmbedding() {
    }

    public PositionEmbedding(int width, int block) {
        super(width, block);
        validate();
    }

    private void validate() {
        if (width <= 0) {
            throw new IllegalArgumentException("position embedding width must be positive, got " + width);
        }
        if (block <= 0) {
            throw new IllegalArgumentException("position embedding block (sequence length) must be positive, got "
                    + block);
        }
    }

    /** {@link FastPositionEmbeddingLayer}: written out for float networks on the CPU, else the SameDiff graph below. */
    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                       Collection<TrainingListener> trainingListeners, int layerIndex,
                                                       INDArray layerParamsView, boolean initializeParams,
                                                       DataType networkDataType) {
        return FastPositionEmbeddingLayer.create(conf, layerIndex, layerParamsView, initializeParams, networkDataType);
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        validate();
        params.clear();
        // A weight (not a bias) parameter, so weight decay applies to it as in nanoGPT.
        params.addWeightParam(POSITIONS, width, block);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            INDArray positions = params.get(POSITIONS);
            // Nd4j.getRandom() is seeded from the configuration's seed by MultiLayerNetwork.init.
            positions.assign(Nd4j.randn(positions.dataType(), positions.shape()).muli(INIT_STD));
        }
    }

    @Override
    public SDVariable defineLayer(SameDiff sameDiff, SDVariable layerInput, Map<String, SDVariable> paramTable,
                                  SDVariable mask) {
        // [mb, width, T] + [width, T]: broadcast over the minibatch; the gradient of pos sums over it.
        return layerInput.add(paramTable.get(POSITIONS));
    }
}
