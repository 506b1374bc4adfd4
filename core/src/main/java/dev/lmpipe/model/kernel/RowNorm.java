package dev.lmpipe.model.kernel;


import java.nio.FloatBuffer;

/**
 * LayerNorm over each row of a row-major matrix in host memory, forward and backward, as ND4J's {@code layer_norm}
 * op computes it (population variance, no epsilon): what {@link TransformerBlockKernel} and the final
 * {@code LayerNorm} run for float networks on the CPU, and what generation's transformer window runs. Each row is
 * copied into Java arrays first, where the element-wise loops compile to vector instructions (on direct buffers they
 * do not). Not thread-safe: the arrays are reused.
 */
public final class RowNorm {
    private final int width;
    private final float[] row;
    private final float[] normal;
    private final float[] result;

    public RowNorm(int width) {
        this.width = width;
        this.row = new float[width];
        this.normal = new float[width];
        this.result = new float[width];
    }

    /**
     * normalized = (in − mean) / std per row, out = normalized · gain + bias; inverseStd[r] = 1 / std of row r.
     * {@code normalized} and {@code inverseStd} may be null where no backward pass needs them (inference).
     */
    public void forward(int rows, FloatBuffer in, FloatBuffer normalized, float[] inverseStd, float[] gain, float[] bias,
                 FloatBuffer out) {
        for (int r = 0; r < rows; r++) {
            int at = r * width;
            in.get(at, row);
            // In float, as ND4J's op sums them: sums in double cost a conversion per value.
            float mean = Reductions.sum(row, 0, width) / width;
            for (int j = 0; j < width; j++) {
                normal[j] = (row[j] - mean) * (row[j] - mean);
            }
            float squares = Reductions.sum(normal, 0, width);
            float scale = (float) (1 / Math.sqrt(squares / width));
            if (inverseStd != null) {
                inverseStd[r] = scale;
            }
            for (int j = 0; j < width; j++) {
                normal[j] = (row[j] - mean) * scale;
                result[j] = normal[j] * gain[j] + bias[j];
            }
            if (normalized != null) {
                normalized.put(at, normal);
            }
            out.put(at, result);
        }
    }

    /**
     * out = residual (if not null) + the gradient of the input, given the output's gradient; gainGradient and
     * biasGradient receive the parameters' gradients. With n = normalized, g = gain:
     * dx = (dn·g − mean(dn·g) − n·mean(dn·g·n)) / std.
     */
    public void backward(int rows, FloatBuffer outputGradient, FloatBuffer normalized, float[] inverseStd, float[] gain,
                  FloatBuffer residual, FloatBuffer gainGradient, FloatBuffer biasGradient, FloatBuffer out) {
        float[] dGain = new float[width];
        float[] dBias = new float[width];
        float[] scaled = result;
        for (int r = 0; r < rows; r++) {
            int at = r * width;
            outputGradient.get(at, row);
            normalized.get(at, normal);
            for (int j = 0; j < width; j++) {
                dGain[j] += row[j] * normal[j];
                dBias[j] += row[j];
                scaled[j] = row[j] * gain[j];
            }
            float meanScaled = Reductions.sum(scaled, 0, width) / width;
            float meanDot = Reductions.dot(scaled, normal, 0, width) / width;
            float scale = inverseStd[r];
            if (residual != null) {
                residual.get(at, row);
            } else {
                java.util.Arrays.fill(row, 0f);
            }
            for (int j = 0; j < width; j++) {
                row[j] += scale * (scaled[j] - meanScaled - normal[j] * meanDot);
            }
            out.put(at, row);
        }
        gainGradient.put(0, dGain);
        biasGradient.put(0, dBias);
    }
}
