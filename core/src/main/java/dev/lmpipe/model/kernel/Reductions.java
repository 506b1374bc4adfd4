package dev.lmpipe.model.kernel;


/**
 * Sums, dot products and maxima over ranges of float arrays, for the element-wise loops of the written-out layers.
 * Each keeps eight partial results: Java compiles a single running sum to one addition after another, each waiting
 * for the last (a float sum's order is part of its result, so the compiler may not reorder it), which made
 * LayerNorm's and the attention softmax's reductions cost more than the loops around them. Eight independent sums
 * keep both of a core's floating-point adders busy through an addition's latency of about four cycles; four kept
 * them half idle.
 */
public final class Reductions {
    private Reductions() {
    }

    /** The sum of values[from, to), in float. */
    static float sum(float[] values, int from, int to) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        float s4 = 0;
        float s5 = 0;
        float s6 = 0;
        float s7 = 0;
        int j = from;
        for (; j + 7 < to; j += 8) {
            s0 += values[j];
            s1 += values[j + 1];
            s2 += values[j + 2];
            s3 += values[j + 3];
            s4 += values[j + 4];
            s5 += values[j + 5];
            s6 += values[j + 6];
            s7 += values[j + 7];
        }
        for (; j < to; j++) {
            s0 += values[j];
        }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }

    /** The sum of (value − mean)² over values[from, to): each square in float, the sum in double. */
    static double squaredDeviations(float[] values, float mean, int from, int to) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        double s4 = 0;
        double s5 = 0;
        double s6 = 0;
        double s7 = 0;
        int j = from;
        for (; j + 7 < to; j += 8) {
            s0 += square(values[j] - mean);
            s1 += square(values[j + 1] - mean);
            s2 += square(values[j + 2] - mean);
            s3 += square(values[j + 3] - mean);
            s4 += square(values[j + 4] - mean);
            s5 += square(values[j + 5] - mean);
            s6 += square(values[j + 6] - mean);
            s7 += square(values[j + 7] - mean);
        }
        for (; j < to; j++) {
            s0 += square(values[j] - mean);
        }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }

    private static float square(float value) {
        return value * value;
    }

    /** The dot product of a[from, to) and b[from, to), in float. */
    static float dot(float[] a, float[] b, int from, int to) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        float s4 = 0;
        float s5 = 0;
        float s6 = 0;
        float s7 = 0;
        int j = from;
        for (; j + 7 < to; j += 8) {
            s0 += a[j] * b[j];
            s1 += a[j + 1] * b[j + 1];
            s2 += a[j + 2] * b[j + 2];
            s3 += a[j + 3] * b[j + 3];
            s4 += a[j + 4] * b[j + 4];
            s5 += a[j + 5] * b[j + 5];
            s6 += a[j + 6] * b[j + 6];
            s7 += a[j + 7] * b[j + 7];
        }
        for (; j < to; j++) {
            s0 += a[j] * b[j];
        }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }

    /** The largest of values[from, to), from &lt; to. */
    static float max(float[] values, int from, int to) {
        float m0 = values[from];
        float m1 = m0;
        float m2 = m0;
        float m3 = m0;
        float m4 = m0;
        float m5 = m0;
        float m6 = m0;
        float m7 = m0;
        int j = from;
        for (; j + 7 < to; j += 8) {
            m0 = Math.max(m0, values[j]);
            m1 = Math.max(m1, values[j + 1]);
            m2 = Math.max(m2, values[j + 2]);
            m3 = Math.max(m3, values[j + 3]);
            m4 = Math.max(m4, values[j + 4]);
            m5 = Math.max(m5, values[j + 5]);
            m6 = Math.max(m6, values[j + 6]);
            m7 = Math.max(m7, values[j + 7]);
        }
        for (; j < to; j++) {
            m0 = Math.max(m0, values[j]);
        }
        return Math.max(Math.max(Math.max(m0, m1), Math.max(m2, m3)), Math.max(Math.max(m4, m5), Math.max(m6, m7)));
    }
}
