package dev.lmpipe.model.kernel;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.Axpy;
import org.nd4j.linalg.api.ops.impl.updaters.AdamUpdater;
import org.nd4j.linalg.factory.Nd4j;

import static org.assertj.core.api.Assertions.assertThat;

/** The fused pass against the ND4J ops a DL4J training step runs one after another: the same floats, bit for bit. */
class AdamArithmeticTest {
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPSILON = 1e-8;

    @Test
    void updatesAsNd4jsClipDivisionAdamAndDecayDo() {
        int n = 5_000; // several chunks and a partial one
        Nd4j.getRandom().setSeed(11);
        INDArray params = Nd4j.randn(DataType.FLOAT, n);
        INDArray m = Nd4j.randn(DataType.FLOAT, n).muli(1e-3);
        INDArray v = Nd4j.rand(DataType.FLOAT, n).muli(1e-5);
        var arithmetic = new AdamArithmetic(BETA1, BETA2, EPSILON);
        // Iterations from the first, where the bias correction is largest, to late ones; rates of a schedule.
        int[] iterations = {0, 1, 7, 100, 999, 4_321, 60_000};
        for (int k = 0; k < iterations.length; k++) {
            int iteration = iterations[k];
            double learningRate = 0.002 * (1 + Math.cos(k)) / 2 + 1e-5;
            double clip = k % 2 == 0 ? 1.0 : 0.37;
            int batch = k % 3 == 0 ? 32 : 6;
            double decay = k == 3 ? 0 : 0.1;
            INDArray gradient = Nd4j.randn(DataType.FLOAT, n).muli(k + 1);

            INDArray expected = gradient.dup();
            INDArray expectedM = m.dup();
            INDArray expectedV = v.dup();
            if (clip != 1.0) {
                expected.muli(clip);
            }
            expected.divi(batch);
            Nd4j.exec(new AdamUpdater(expected, expectedV, expectedM, learningRate, BETA1, BETA2, EPSILON, iteration));
            if (decay != 0) {
                Nd4j.exec(new Axpy(params, expected, expected, decay * learningRate));
            }

            var c = new AdamArithmetic.Coefficients((float) clip, batch, arithmetic.stepSize(learningRate, iteration),
                    (float) (decay * learningRate));
            arithmetic.update(HostMemory.floats(gradient), HostMemory.floats(m), HostMemory.floats(v),
                    HostMemory.floats(params), c);

            assertThat(gradient.toFloatVector()).as("update at iteration %d", iteration)
                    .containsExactly(expected.toFloatVector());
            assertThat(m.toFloatVector()).containsExactly(expectedM.toFloatVector());
            assertThat(v.toFloatVector()).containsExactly(expectedV.toFloatVector());
        }
    }

    @Test
    void sumsSquaresInDoubleInFixedChunks() {
        INDArray values = Nd4j.linspace(-3, 5, 2_500, DataType.FLOAT);
        float[] floats = values.toFloatVector();
        double expected = 0;
        for (float f : floats) {
            expected += f * f;
        }
        double sum = AdamArithmetic.sumOfSquares(HostMemory.floats(values), new float[1024]);
        assertThat(sum).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-9 * expected));
        assertThat(AdamArithmetic.sumOfSquares(HostMemory.floats(values), new float[1024])).isEqualTo(sum);
    }
}
