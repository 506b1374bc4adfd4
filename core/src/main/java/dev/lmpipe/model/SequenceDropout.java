package dev.lmpipe.model;

import dev.lmpipe.model.kernel.DropoutMasks;
import dev.lmpipe.model.kernel.HostMemory;
import dev.lmpipe.model.kernel.Kernels;
import dev.lmpipe.model.runtime.MinibatchParts;

import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.annotation.JsonIgnore;

import java.nio.FloatBuffer;
import java.util.Objects;

/**
 * Inverted dropout of a sequence's activations ({@code [B, width, T]}, NCW), for the GPT's {@code DropoutLayer} after
 * the embeddings' sum (where nanoGPT drops): a value is dropped with {@code probability}, the rest scaled by
 * {@code 1 / (1 - probability)}, as DL4J's {@link Dropout} does.
 *
 * <p>Where lmpipe's kernels run ({@link Kernels#onHost}) each example's mask comes from {@link DropoutMasks} and is
 * applied in Java to rows {@code [B, T, width]}, the output handed on as a view of rows, which the first block
 * reads without transposing them. The minibatch is cut into slices on as many threads as the blocks use
 * ({@link SlicesMinibatches}), each slice's rows copied, masks drawn and applied on its own thread: on one thread
 * while the other cores wait, DL4J's {@link Dropout} (a random op, a multiply of arrays of different layouts and, in
 * the first block, a transposing copy of its output) took 4% of a two-thread GPT training step with dropout 0.1
 * (bench/serial_time.sh), and this pass 3.7%. Elsewhere (a GPU, or
 * {@code -Dlmpipe.kernels=dl4j}) this is DL4J's {@link Dropout}.
 *
 * <p>Named in checkpoints' configurations: a public no-arg constructor and a getter and setter for the probability
 * and the threads (a runtime setting, 1 when absent, as the layers').
 * Not thread-safe, like DL4J's dropout: the last training pass's mask is kept for its backward pass.
 */
public class SequenceDropout implements IDropout, SlicesMinibatches {
    private double probability;
    private int threads = 1;

    @JsonIgnore
    private transient float[] mask;
    /** Whether {@link #mask} holds the last training pass's, which the backward pass then applies. */
    @JsonIgnore
    private transient boolean masked;
    @JsonIgnore
    private transient Dropout dl4j;

    /** For Jackson only: the probability is then set through its setter. */
    public SequenceDropout() {
    }

    /** @param probability of dropping a value, in (0, 1) */
    public SequenceDropout(double probability) {
        setProbability(probability);
    }

    public double getProbability() {
        return probability;
    }

    public void setProbability(double probability) {
        if (!(probability > 0 && probability < 1)) {
            throw new IllegalArgumentException("dropout probability must be within (0, 1), got " + probability);
        }
        this.probability = probability;
    }

    @Override
    public int getThreads() {
        return threads;
    }

    @Override
    public void setThreads(int threads) {
        this.threads = MinibatchParts.checkThreads(threads);
    }

    @Override
    public INDArray applyDropout(INDArray input, INDArray result, int iteration, int epoch,
                                 LayerWorkspaceMgr workspaceMgr) {
        masked = false;
        if (!onHost(input)) {
            return dl4j().applyDropout(input, result, iteration, epoch, workspaceMgr);
        }
        int examples = (int) input.size(0);
        int perExample = (int) (input.size(1) * input.size(2));
        var output = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT,
                new long[] {input.size(0), input.size(2), input.size(1)}, 'c');
        // One seed per pass from ND4J's generator, which Spark's workers seed per step: reproducible runs.
        var masks = new DropoutMasks((float) probability, Nd4j.getRandom().nextLong());
        if (mask == null || mask.length != examples * perExample) {
            mask = new float[examples * perExample];
        }
        var slices = new MinibatchParts(examples, threads);
        slices.run(p -> {
            INDArray outputRows = slices.of(output, p);
            masks.fillExamples(mask, slices.from(p), slices.to(p), perExample);
            multiply(HostMemory.rows(slices.of(input, p), outputRows), outputRows, slices.from(p) * perExample,
                    slices.size(p) * perExample);
        });
        masked = true;
        return output.permute(0, 2, 1);
    }

    @Override
    public INDArray backprop(INDArray gradAtOutput, INDArray gradAtInput, int iteration, int epoch) {
        if (!masked) {
            return dl4j().backprop(gradAtOutput, gradAtInput, iteration, epoch);
        }
        masked = false;
        INDArray inPlace = HostMemory.rowsView(gradAtInput);
        INDArray outputRows = inPlace != null ? inPlace
                : Nd4j.createUninitialized(DataType.FLOAT, gradAtInput.size(0), gradAtInput.size(2), gradAtInput.size(1));
        int perExample = (int) (gradAtInput.size(1) * gradAtInput.size(2));
        var slices = new MinibatchParts((int) gradAtInput.size(0), threads);
        slices.run(p -> {
            INDArray sliceRows = slices.of(outputRows, p);
            multiply(HostMemory.rows(slices.of(gradAtOutput, p), sliceRows), sliceRows, slices.from(p) * perExample,
                    slices.size(p) * perExample);
            if (inPlace == null) {
                slices.of(gradAtInput, p).assign(sliceRows.permute(0, 2, 1));
            }
        });
        return gradAtInput;
    }

    /**
     * out = in ∘ mask[maskFrom, maskFrom + length) over rows of {@code length} floats in all, a chunk at a time in a
     * Java array.
     */
    private void multiply(INDArray inRows, INDArray outRows, int maskFrom, int length) {
        FloatBuffer in = HostMemory.floats(inRows);
        FloatBuffer out = HostMemory.floats(outRows);
        int inAt = (int) inRows.offset();
        int outAt = (int) outRows.offset();
        float[] chunk = new float[Math.min(length, 8192)];
        for (int from = 0; from < length; from += chunk.length) {
            int n = Math.min(chunk.length, length - from);
            in.get(inAt + from, chunk, 0, n);
            for (int i = 0; i < n; i++) {
                chunk[i] *= mask[maskFrom + from + i];
            }
            out.put(outAt + from, chunk, 0, n);
        }
    }

    private static boolean onHost(INDArray input) {
        return Kernels.onHost() && input.dataType() == DataType.FLOAT && input.rank() == 3;
    }

    private Dropout dl4j() {
        if (dl4j == null) {
            dl4j = new Dropout(1 - probability);
        }
        return dl4j;
    }

    @Override
    public void clear() {
        masked = false;
        if (dl4j != null) {
            dl4j.clear();
        }
    }

    @Override
    public SequenceDropout clone() {
        var copy = new SequenceDropout(probability);
        copy.setThreads(threads);
        return copy;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SequenceDropout other && other.probability == probability;
    }

    @Override
    public int hashCode() {
        return Objects.hash(probability);
    }

    @Override
    public String toString() {
        return "SequenceDropout(" + probability + ")";
    }
}
