package dev.lmpipe.model;

import dev.lmpipe.model.runtime.CorrectedSameDiffLayer;

import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.InputTypeUtil;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.Collection;
import java.util.Objects;

/**
 * What lmpipe's SameDiff layers share: they map an NCW sequence {@code [minibatch, width, block]} to one of the
 * same shape, and run as a {@link CorrectedSameDiffLayer}. DL4J's {@code SameDiffLayer} fixes its input shape
 * (all but the minibatch) at the first forward pass, so the sequence length is always {@code block}.
 *
 * <p>DL4J rebuilds layer configurations from JSON (Spark executors, {@code ModelSerializer}): every field has a
 * public getter and setter and every layer a public no-arg constructor, or Jackson silently restores a field as 0.
 */
public abstract class SequenceLayer extends SameDiffLayer {
    protected int width;
    protected int block;

    /** For Jackson only: the fields are then set through the setters. */
    protected SequenceLayer() {
    }

    protected SequenceLayer(int width, int block) {
        this.width = width;
        this.block = block;
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                       Collection<TrainingListener> trainingListeners, int layerIndex,
                                                       INDArray layerParamsView, boolean initializeParams,
                                                       DataType networkDataType) {
        // Undoes DL4J M2.1's doubled SameDiffLayer gradients (see CorrectedSameDiffLayer).
        return CorrectedSameDiffLayer.create(conf, layerIndex, layerParamsView, initializeParams, networkDataType);
    }

    /** Rejects anything but NCW {@code [mb, width, block]} with a message that says what was expected. */
    @Override
    public void validateInput(INDArray input) {
        long[] shape = input.shape();
        if (shape.length != 3 || shape[1] != width || shape[2] != block) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " expects NCW input [minibatch, " + width
                    + ", " + block + "] (width " + width + ", sequence length equal to block " + block + "), got "
                    + Arrays.toString(shape));
        }
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return InputType.recurrent(width, block, RNNFormat.NCW);
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        // Width is configured, not inferred: a mismatch with the previous layer is a configuration error.
        if (inputType instanceof InputType.InputTypeRecurrent recurrent && recurrent.getSize() != width) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " has width " + width
                    + " but its input has size " + recurrent.getSize());
        }
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return InputTypeUtil.getPreprocessorForInputTypeRnnLayers(inputType, RNNFormat.NCW, getLayerName());
    }

    public int getWidth() {
        return width;
    }

    public void setWidth(int width) {
        this.width = width;
    }

    public int getBlock() {
        return block;
    }

    public void setBlock(int block) {
        this.block = block;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SequenceLayer other && o.getClass() == getClass() && super.equals(o)
                && width == other.width && block == other.block;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), width, block);
    }
}
