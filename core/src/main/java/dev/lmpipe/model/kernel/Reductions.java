package dev.lmpipe.model.kernel;


/**
 * Sums, dot products and maxima over ranges of float arrays, for the element-wise loops of the written-out layers.
 * Each keeps four partial results: Java compiles a single running sum to one addition after another, each waiting
 * for the last (a float sum's order is part of its result, so the compiler may not reorder it), which made
 * LayerNorm's and the attention softmax's reductions cost more than the loops around them.
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
        int j = from;
        for (; j + 3 < to; j += 4) {
            s0 += values[j];
            s1 += values[j + 1];
            s2 += values[j + 2];
            s3 += values[j + 3];
        }
        for (; j < to; j++) {
            s0 += values[j];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** The sum of values[from, to), in double. */
    static double sumInDouble(float[] values, int from, int to) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int j = from;
        for (; j + 3 < to; j += 4) {
            s0 += values[j];
            s1 += values[j + 1];
            s2 += values[j + 2];
            s3 += values[j + 3];
        }
        for (; j < to; j++) {
            s0 += values[j];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** The sum of (value − mean)² over values[from, to): each square in float, the sum in double. */
    static double squaredDeviations(float[] values, float mean, int from, int to) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int j = from;
        for (; j + 3 < to; j += 4) {
            float d0 = values[j] - mean;
            float d1 = values[j + 1] - mean;
            float d2 = values[j + 2] - mean;
            float d3 = values[j + 3] - mean;
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
        }
        for (; j < to; j++) {
            float d = values[j] - mean;
            s0 += d * d;
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** The dot product of a[from, to) and b[from, to), in float. */
    static float dot(float[] a, float[] b, int from, int to) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int j = from;
        for (; j + 3 < to; j += 4) {
            s0 += a[j] * b[j];
            s1 += a[j + 1] * b[j + 1];
            s2 += a[j + 2] * b[j + 2];
            s3 += a[j + 3] * b[j + 3];
        }
        for (; j < to; j++) {
            s0 += a[j] * b[j];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** The largest of values[from, to), from &lt; to. */
    static float max(float[] values, int from, int to) {
        float m0 = values[from];
        float m1 = m0;
        float m2 = m0;
        float m3 = m0;
        int j = from;
        for (; j + 3 < to; j += 4) {
            m0 = Math.max(m0, values[j]);
            m1 = Math.max(m1, values[j + 1]);
            m2 = Math.max(m2, values[j + 2]);
            m3 = Math.max(m3, values[j + 3]);
        }
        for (; j < to; j++) {
            m0 = Math.max(m0, values[j]);
        }
        return Math.max(Math.max(m0, m1), Math.max(m2, m3));
    }
}
