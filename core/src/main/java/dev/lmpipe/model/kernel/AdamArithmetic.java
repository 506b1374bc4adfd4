package dev.lmpipe.model.kernel;

import java.nio.FloatBuffer;

/**
 * Adam's update of a range of parameters in one pass over memory, with what a training step does around it: the
 * gradient scaled by a global clipping factor and divided by the minibatch's size first, AdamW's decay added to the
 * update after. Each operation is done as the ND4J op that would otherwise do it computes it, in the same order and
 * the same float roundings, so the result is the same bit for bit ({@code AdamArithmeticTest}):
 * {@code muli} by the clipping factor, {@code divi} by the size, {@code adam_updater}, then {@code axpy} of the
 * decay. Fused, the step reads the gradient, Adam's two moments and the parameters once instead of once per op.
 * Loops run on chunks copied into Java arrays, where they compile to vector instructions.
 */
public final class AdamArithmetic {
    private static final int CHUNK = 1024;

    private final float beta1;
    private final float beta2;
    private final float epsilon;
    private final float oneMinusBeta1;
    private final float oneMinusBeta2;
    private final float[] gradient = new float[CHUNK];
    private final float[] m = new float[CHUNK];
    private final float[] v = new float[CHUNK];
    private final float[] params = new float[CHUNK];

    /** Adam's constants, rounded to float as ND4J's op rounds them. Not thread-safe: one per thread. */
    public AdamArithmetic(double beta1, double beta2, double epsilon) {
        this.beta1 = (float) beta1;
        this.beta2 = (float) beta2;
        this.epsilon = (float) epsilon;
        this.oneMinusBeta1 = 1 - this.beta1;
        this.oneMinusBeta2 = 1 - this.beta2;
    }

    /**
     * ND4J's bias-corrected step size, {@code lr·√(1 − β₂^(t+1)) / (1 − β₁^(t+1))} at iteration {@code t}, with its
     * mix of float and double operations; ε itself where that is not a finite non-zero number, as ND4J does.
     */
    public float stepSize(double learningRate, int iteration) {
        float t = iteration;
        float beta1Power = (float) Math.pow(beta1, t + 1);
        float beta2Power = (float) Math.pow(beta2, t + 1);
        float stepSize = (float) ((double) ((float) learningRate * (float) Math.sqrt((float) (1.0 - beta2Power)))
                / (1.0 - beta1Power));
        return Float.isNaN(stepSize) || Float.isInfinite(stepSize) || stepSize == 0 ? epsilon : stepSize;
    }

    /**
     * For every parameter of {@code gradient} (a buffer as long as the range; the moments' and the parameters'
     * buffers start at the same parameter): g ← (g · clip) / divisor; m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²;
     * g ← stepSize · m / (√v + ε) + decay · p, the update that DL4J's step then subtracts from the parameters. The
     * parameters are read only where the decay is not 0.
     */
    public void update(FloatBuffer gradient, FloatBuffer m, FloatBuffer v, FloatBuffer params, Coefficients c) {
        int length = gradient.capacity();
        for (int done = 0; done < length; done += CHUNK) {
            int n = Math.min(CHUNK, length - done);
            gradient.get(done, this.gradient, 0, n);
            m.get(done, this.m, 0, n);
            v.get(done, this.v, 0, n);
            step(n, c);
            if (c.decay() != 0) {
                // Apart, not as "+ 0·p" where there is no decay: that would turn an update of −0 into +0.
                params.get(done, this.params, 0, n);
                decay(n, c.decay());
            }
            m.put(done, this.m, 0, n);
            v.put(done, this.v, 0, n);
            gradient.put(done, this.gradient, 0, n);
        }
    }

    private void step(int n, Coefficients c) {
        float clip = c.clip();
        float divisor = c.divisor();
        float stepSize = c.stepSize();
        for (int i = 0; i < n; i++) {
            float g = gradient[i] * clip / divisor;
            float mi = beta1 * m[i] + g * oneMinusBeta1;
            float vi = beta2 * v[i] + g * g * oneMinusBeta2;
            m[i] = mi;
            v[i] = vi;
            gradient[i] = stepSize * mi / ((float) Math.sqrt(vi) + epsilon);
        }
    }

    private void decay(int n, float decay) {
        for (int i = 0; i < n; i++) {
            gradient[i] = decay * params[i] + gradient[i];
        }
    }

    /**
     * The sum of the squares of the floats of {@code values} (as many as its capacity), read through {@code scratch}:
     * each square in float, the sum in double, in an order fixed by the length and the scratch's.
     */
    public static double sumOfSquares(FloatBuffer values, float[] scratch) {
        int length = values.capacity();
        double sum = 0;
        for (int done = 0; done < length; done += scratch.length) {
            int n = Math.min(scratch.length, length - done);
            values.get(done, scratch, 0, n);
            sum += Reductions.squaredDeviations(scratch, 0f, 0, n);
        }
        return sum;
    }

    /**
     * One step's factors: the global clipping factor (1: none), the minibatch's size that DL4J divides the summed
     * gradient by (1: none), Adam's {@link #stepSize} and the decay's {@code learningRate × coefficient} (0: none).
     */
    public record Coefficients(float clip, float divisor, float stepSize, float decay) {
    }
}
