package dev.lmpipe.model.kernel;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static dev.lmpipe.model.kernel.BlockParameters.ATTENTION_OUT_BIAS;
import static dev.lmpipe.model.kernel.BlockParameters.ATTENTION_OUT_WEIGHT;
import static dev.lmpipe.model.kernel.BlockParameters.HIDDEN_BIAS;
import static dev.lmpipe.model.kernel.BlockParameters.HIDDEN_WEIGHT;
import static dev.lmpipe.model.kernel.BlockParameters.MLP_OUT_BIAS;
import static dev.lmpipe.model.kernel.BlockParameters.MLP_OUT_WEIGHT;
import static dev.lmpipe.model.kernel.BlockParameters.NORM1_BIAS;
import static dev.lmpipe.model.kernel.BlockParameters.NORM1_GAIN;
import static dev.lmpipe.model.kernel.BlockParameters.NORM2_BIAS;
import static dev.lmpipe.model.kernel.BlockParameters.NORM2_GAIN;
import static dev.lmpipe.model.kernel.BlockParameters.QKV_BIAS;
import static dev.lmpipe.model.kernel.BlockParameters.QKV_WEIGHT;

/** Parameters and inputs for the tests of {@link TransformerBlockKernel}. */
final class BlockFixtures {
    private BlockFixtures() {
    }

    /** A block's parameters of this width, U(-0.5, 0.5) but the gains, about 1. */
    static Map<String, INDArray> parameters(int width, long seed) {
        var params = new LinkedHashMap<String, INDArray>();
        int hidden = BlockParameters.MLP_EXPANSION * width;
        params.put(QKV_WEIGHT, random(new long[] {width, 3L * width}, seed));
        params.put(ATTENTION_OUT_WEIGHT, random(new long[] {width, width}, seed + 100));
        params.put(HIDDEN_WEIGHT, random(new long[] {width, hidden}, seed + 200));
        params.put(MLP_OUT_WEIGHT, random(new long[] {hidden, width}, seed + 300));
        params.put(QKV_BIAS, random(new long[] {3L * width}, seed + 400));
        params.put(ATTENTION_OUT_BIAS, random(new long[] {width}, seed + 500));
        params.put(HIDDEN_BIAS, random(new long[] {hidden}, seed + 600));
        params.put(MLP_OUT_BIAS, random(new long[] {width}, seed + 700));
        params.put(NORM1_GAIN, random(new long[] {width}, seed + 800).addi(1));
        params.put(NORM1_BIAS, random(new long[] {width}, seed + 900));
        params.put(NORM2_GAIN, random(new long[] {width}, seed + 1000).addi(1));
        params.put(NORM2_BIAS, random(new long[] {width}, seed + 1100));
        return params;
    }

    /** U(-0.5, 0.5) floats from a seed of their own. */
    static INDArray random(long[] shape, long seed) {
        var random = new Random(seed);
        long length = 1;
        for (long size : shape) {
            length *= size;
        }
        float[] values = new float[(int) length];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextFloat() - 0.5f;
        }
        return Nd4j.createFromArray(values).reshape(shape);
    }
}
