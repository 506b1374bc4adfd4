package dev.lmpipe.model.kernel;

/**
 * The logistic function without an exponential, for GELU ({@code x·sigmoid(1.702·x)}, ND4J's formula) and the LSTM's
 * gates, in training and in generation: sigmoid(z) = (1 + tanh(z/2)) / 2 with tanh from a rational function of
 * degree 7/8 on [-9, 9] (coefficients fitted by {@code core/tools/fit_tanh.py}), within 4e-7 of the exact sigmoid
 * (7e-7 in GELU, whose clamp is cheaper). Only multiplications, additions, a division and a clamp: the loops over
 * arrays below compile to vector instructions, where an exponential (9-18 ns on the machines lmpipe is measured on)
 * or a table lookup (about 6 ns) cannot.
 */
public final class Sigmoid {
    /** GELU's factor: ND4J's {@code gelu} op is {@code x·sigmoid(1.702·x)}. */
    public static final float GELU_FACTOR = 1.702f;
    private static final float HALF_GELU_FACTOR = GELU_FACTOR / 2;
    /** Where tanh is 1 in float: 1 - tanh(9) = 3.0e-8. */
    private static final float CLAMP = 9f;
    private static final float P0 = 0.999998391f;
    private static final float P1 = 0.128201753f;
    private static final float P2 = 0.00284051592f;
    private static final float P3 = 1.0296887e-05f;
    private static final float Q1 = 0.461529464f;
    private static final float Q2 = 0.0233560465f;
    private static final float Q3 = 0.000223415467f;
    private static final float Q4 = 2.11013727e-07f;

    private Sigmoid() {
    }

    public static float of(float z) {
        return 0.5f + 0.5f * tanh(0.5f * z);
    }

    /** tanh(z) within 8e-7: the rational function itself (for the LSTM's block input and cell). */
    public static float tanh(float z) {
        // NaN: Math.max and Math.min keep it, and so does the rest.
        return rational(Math.min(Math.max(z, -CLAMP), CLAMP));
    }

    /** The rational function, for x within [-CLAMP, CLAMP]. */
    private static float rational(float x) {
        float x2 = x * x;
        float p = ((P3 * x2 + P2) * x2 + P1) * x2 + P0;
        float q = (((Q4 * x2 + Q3) * x2 + Q2) * x2 + Q1) * x2 + 1f;
        return x * p / q;
    }

    /**
     * GELU in place on {@code values[0, n)}, keeping its derivative at each value in {@code slopes}:
     * d(x·σ(kx))/dx = σ + k·x·σ·(1 − σ), which a backward pass multiplies its gradient by.
     */
    public static void gelu(float[] values, float[] slopes, int n) {
        for (int i = 0; i < n; i++) {
            float x = values[i];
            // sigmoid(1.702·x) = (1 + tanh(0.851·x)) / 2, the argument clamped to ±CLAMP as (|z + 9| − |z − 9|) / 2:
            // Math.min and Math.max compile to several instructions each (NaN's and −0's rules), an absolute value to
            // one. Rounding z ± 9 moves z by at most 5e-7, so the sigmoid stays within 7e-7 of the exact one
            // (SigmoidTest).
            float z = HALF_GELU_FACTOR * x;
            float s = 0.5f + 0.5f * rational(0.5f * (Math.abs(z + CLAMP) - Math.abs(z - CLAMP)));
            slopes[i] = s + GELU_FACTOR * x * s * (1 - s);
            values[i] = x * s;
        }
    }
}
