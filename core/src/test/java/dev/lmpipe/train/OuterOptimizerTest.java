package dev.lmpipe.train;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The outer step's arithmetic against a hand computation, and its state across a checkpoint. */
class OuterOptimizerTest {
    private static final AveragingConfig NESTEROV = new AveragingConfig(OuterOptimizer.Kind.nesterov, 0.7, 0.9);
    /** Float32 values near 2 carry about 2.4e-7 of rounding per operation; a step is a handful of operations. */
    private static final float TOLERANCE = 1e-6f;

    @Test
    void twoNesterovStepsMatchAHandComputation() {
        var outer = new OuterOptimizer(NESTEROV, null);
        // Round 1: Δ = start − average = (0.1, −0.1, 0); v = Δ; θ = start − 0.7·(Δ + 0.9·v) = start − 1.33·Δ.
        INDArray parameters = row(0.9f, 2.1f, -1f);
        outer.step(row(1f, 2f, -1f), parameters);
        assertRow(parameters, 0.867f, 2.133f, -1f);
        assertRow(Nd4j.createFromArray(outer.momentum()).reshape(1, 3), 0.1f, -0.1f, 0f);
        // Round 2 from there, average (0.8, 2.2, −0.9): Δ = (0.067, −0.067, −0.1); v = 0.9·v + Δ = (0.157, −0.157, −0.1);
        // θ = start − 0.7·(Δ + 0.9·v) = start − 0.7·(0.2083, −0.2083, −0.19).
        INDArray start = parameters.dup();
        parameters.assign(row(0.8f, 2.2f, -0.9f));
        outer.step(start, parameters);
        assertRow(parameters, 0.72119f, 2.27881f, -0.867f);
        assertRow(Nd4j.createFromArray(outer.momentum()).reshape(1, 3), 0.157f, -0.157f, -0.1f);
    }

    @Test
    void plainLeavesTheAverageAsItIs() {
        var outer = OuterOptimizer.plain();
        INDArray parameters = row(0.9f, 2.1f, -1f);
        outer.step(row(1f, 2f, -1f), parameters);
        assertThat(parameters.toFloatVector()).containsExactly(0.9f, 2.1f, -1f);
        assertThat(outer.stepsFromAverage()).isFalse();
        assertThat(outer.momentum()).isNull();
    }

    @Test
    void autoIsNesterovWhenWorkersAverageAndPlainForOne() {
        assertThat(AveragingConfig.DEFAULTS.outer()).isEqualTo(OuterOptimizer.Kind.auto);
        assertThat(AveragingConfig.DEFAULTS.forWorkers(1).outer()).isEqualTo(OuterOptimizer.Kind.plain);
        assertThat(AveragingConfig.DEFAULTS.forWorkers(2).outer()).isEqualTo(OuterOptimizer.Kind.nesterov);
        assertThat(NESTEROV.forWorkers(1)).isEqualTo(NESTEROV);
    }

    @Test
    void unitStepWithoutMomentumIsPlainAveraging() {
        var outer = new OuterOptimizer(new AveragingConfig(OuterOptimizer.Kind.nesterov, 1.0, 0.0), null);
        INDArray parameters = row(0.9f, 2.1f, -1f);
        outer.step(row(1f, 2f, -1f), parameters);
        assertRow(parameters, 0.9f, 2.1f, -1f);
    }

    @Test
    void restoredMomentumContinuesExactlyAsTheUninterruptedOptimizer() {
        var straight = new OuterOptimizer(NESTEROV, null);
        INDArray first = row(0.9f, 2.1f, -1f);
        straight.step(row(1f, 2f, -1f), first);
        var resumed = new OuterOptimizer(NESTEROV, straight.momentum());

        INDArray a = row(0.8f, 2.2f, -0.9f);
        INDArray b = a.dup();
        straight.step(first, a);
        resumed.step(first, b);
        assertThat(b.toFloatVector()).containsExactly(a.toFloatVector());
        assertThat(resumed.momentum()).containsExactly(straight.momentum());
    }

    private static INDArray row(float... values) {
        return Nd4j.createFromArray(values).reshape(1, values.length);
    }

    private static void assertRow(INDArray actual, float... expected) {
        float[] values = actual.toFloatVector();
        assertThat(values).hasSize(expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertThat(values[i]).as("value %d", i).isCloseTo(expected[i], within(TOLERANCE));
        }
    }
}
