package dev.lmpipe.model.kernel;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static dev.lmpipe.model.kernel.BlockParameters.ATTENTION_OUT_WEIGHT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The block's dropout: a training pass's gradients are those of the block with its masks fixed (finite differences),
 * the masks depend on the example and the pass's seed only, and a pass without masks is the block without dropout.
 */
class TransformerBlockDropoutTest {
    private static final int MINIBATCH = 4;
    private static final int STEPS = 5;
    private static final int WIDTH = 8;
    private static final int HEADS = 2;
    private static final DropoutMasks HALF = new DropoutMasks(0.5f, 77);

    @Test
    void gradientsAreThoseOfTheBlockWithItsMasksFixed() {
        var params = BlockFixtures.parameters(WIDTH, 1);
        INDArray input = BlockFixtures.random(new long[] {MINIBATCH, WIDTH, STEPS}, 2);
        INDArray projection = BlockFixtures.random(new long[] {MINIBATCH, WIDTH, STEPS}, 3);
        var kernel = new TransformerBlockKernel(MINIBATCH, STEPS, WIDTH, HEADS);
        kernel.forward(input, params, HALF, 0);
        var backward = kernel.backward(projection, params);
        var gradients = new LinkedHashMap<String, INDArray>();
        backward.parameterGradients.forEach((name, gradient) -> gradients.put(name, gradient.dup()));
        INDArray inputGradient = kernel.inputGradient().dup();

        var random = new Random(4);
        for (var entry : params.entrySet()) {
            INDArray parameter = entry.getValue();
            for (int sample = 0; sample < 6; sample++) {
                long i = random.nextInt((int) parameter.length());
                double numeric = difference(parameter, i, () -> loss(kernel, input, params, projection));
                double analytic = gradients.get(entry.getKey()).reshape(-1).getDouble(i);
                assertThat(numeric).as("%s[%d]", entry.getKey(), i).isCloseTo(analytic, within(analytic));
            }
        }
        for (int sample = 0; sample < 12; sample++) {
            int b = random.nextInt(MINIBATCH);
            int d = random.nextInt(WIDTH);
            int t = random.nextInt(STEPS);
            INDArray flat = input.reshape(-1);
            long i = ((long) b * WIDTH + d) * STEPS + t;
            double numeric = difference(flat, i, () -> loss(kernel, input, params, projection));
            double analytic = inputGradient.getDouble(b, t, d);
            assertThat(numeric).as("input[%d, %d, %d]", b, d, t).isCloseTo(analytic, within(analytic));
        }

        // Not vacuous: without the masks the gradient is another.
        var plain = new TransformerBlockKernel(MINIBATCH, STEPS, WIDTH, HEADS);
        plain.forward(input, params);
        INDArray unmasked = plain.backward(projection, params).parameterGradients.get(ATTENTION_OUT_WEIGHT);
        assertThat(unmasked.sub(gradients.get(ATTENTION_OUT_WEIGHT)).amaxNumber().doubleValue()).isGreaterThan(1e-2);
    }

    @Test
    void anExamplesMasksDoNotDependOnTheSliceThatComputesIt() {
        var params = BlockFixtures.parameters(WIDTH, 5);
        INDArray input = BlockFixtures.random(new long[] {MINIBATCH, WIDTH, STEPS}, 6);
        INDArray whole = new TransformerBlockKernel(MINIBATCH, STEPS, WIDTH, HEADS).forward(input, params, HALF, 0);
        var firstHalf = new TransformerBlockKernel(2, STEPS, WIDTH, HEADS);
        var secondHalf = new TransformerBlockKernel(2, STEPS, WIDTH, HEADS);
        INDArray first = firstHalf.forward(input.get(interval(0, 2)).dup(), params, HALF, 0);
        INDArray second = secondHalf.forward(input.get(interval(2, 4)).dup(), params, HALF, 2);
        assertThat(floats(first)).containsExactly(floats(whole.get(interval(0, 2))));
        assertThat(floats(second)).containsExactly(floats(whole.get(interval(2, 4))));
    }

    @Test
    void aPassWithoutMasksIsTheBlockWithoutDropoutAndMasksChangeIt() {
        var params = BlockFixtures.parameters(WIDTH, 8);
        INDArray input = BlockFixtures.random(new long[] {MINIBATCH, WIDTH, STEPS}, 9);
        var kernel = new TransformerBlockKernel(MINIBATCH, STEPS, WIDTH, HEADS);
        float[] dropped = floats(kernel.forward(input, params, HALF, 0));
        float[] again = floats(kernel.forward(input, params, HALF, 0));
        float[] plain = floats(kernel.forward(input, params, null, 0));
        float[] fresh = floats(new TransformerBlockKernel(MINIBATCH, STEPS, WIDTH, HEADS).forward(input, params));
        assertThat(again).containsExactly(dropped);
        assertThat(plain).containsExactly(fresh);
        assertThat(plain).isNotEqualTo(dropped);
        float[] otherSeed = floats(kernel.forward(input, params, new DropoutMasks(0.5f, 78), 0));
        assertThat(otherSeed).isNotEqualTo(dropped);
    }

    @Test
    void aMaskKeepsAboutOneMinusTheProbabilityScaledUp() {
        var masks = new DropoutMasks(0.2f, 1);
        float[] mask = new float[100_000];
        masks.fill(mask, 0, mask.length, masks.forExample(0));
        int kept = 0;
        for (float value : mask) {
            assertThat(value).isIn(0f, 1.25f);
            kept += value > 0 ? 1 : 0;
        }
        // 80,000 expected; the binomial's standard deviation is about 126.
        assertThat(kept).isBetween(79_400, 80_600);
    }

    /** A copy of the array's values: the kernel's outputs are views of buffers the next pass overwrites. */
    private static float[] floats(INDArray array) {
        return array.dup().reshape(-1).toFloatVector();
    }

    /** Σ output ∘ projection for a forward pass with the same masks ({@link #HALF}). */
    private static double loss(TransformerBlockKernel kernel, INDArray input, Map<String, INDArray> params,
                               INDArray projection) {
        INDArray rows = kernel.forward(input, params, HALF, 0);
        return rows.castTo(DataType.DOUBLE).mul(projection.permute(0, 2, 1).castTo(DataType.DOUBLE)).sumNumber()
                .doubleValue();
    }

    /** Central difference of the loss in element {@code i} of {@code array}, which it leaves as it was. */
    private static double difference(INDArray array, long i, java.util.function.DoubleSupplier loss) {
        INDArray flat = array.reshape(-1);
        double value = flat.getDouble(i);
        double epsilon = 1e-2;
        flat.putScalar(i, value + epsilon);
        double up = loss.getAsDouble();
        flat.putScalar(i, value - epsilon);
        double down = loss.getAsDouble();
        flat.putScalar(i, value);
        return (up - down) / (2 * epsilon);
    }

    /** Float rounding of a loss of order 1 over a difference of 0.02, and the difference's own error. */
    private static org.assertj.core.data.Offset<Double> within(double analytic) {
        return org.assertj.core.data.Offset.offset(2e-3 + 2e-2 * Math.abs(analytic));
    }

    private static org.nd4j.linalg.indexing.INDArrayIndex interval(int from, int to) {
        return org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to);
    }
}
