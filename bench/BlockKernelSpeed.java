import dev.lmpipe.config.ConfigLoader;
import dev.lmpipe.model.TransformerSpec;
import dev.lmpipe.model.kernel.BlockParameters;
import dev.lmpipe.model.kernel.DropoutMasks;
import dev.lmpipe.model.kernel.TransformerBlockKernel;
import dev.lmpipe.train.TrainConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.bytedeco.openblas.global.openblas.blas_set_num_threads;

/**
 * The speed of TransformerBlockKernel alone on one thread, forward and backward passes of one slice of the minibatch
 * (as the train job slices it over 2 threads), dropping as the config's model.dropout says (masks drawn anew at every
 * pass, as training draws them): first one block over and over, whose buffers stay warm, then as many blocks as the
 * model has, forward through all of them and backward, as a training step runs them, whose buffers together outgrow
 * the core's cache. Printed as GFLOP/s of the products the block issues (the
 * attention's unmasked half included), to set beside bench/GemmShapes.java's shapes alone.
 * Usage (from the repository root, after mvn package; one OpenMP thread, as the train job runs ND4J's ops, or they
 * compete with the timed thread): OMP_NUM_THREADS=1 java -cp "jobs/target/lmpipe.jar:jobs/target/lib/*"
 * bench/BlockKernelSpeed.java CONF [KEY=VALUE...]
 */
public class BlockKernelSpeed {
    public static void main(String[] args) {
        TrainConfig config = ConfigLoader.load(TrainConfig.class, TrainConfig.DEFAULTS, Path.of(args[0]),
                List.of(args).subList(1, args.length));
        if (!(config.model().spec() instanceof TransformerSpec spec)) {
            System.out.println("BlockKernelSpeed: " + args[0] + " is not a transformer; nothing to time");
            return;
        }
        blas_set_num_threads(1);
        Nd4j.getRandom().setSeed(1);
        int examples = config.batchSize() / 2; // one of two slices
        int steps = config.seqLen();
        int d = spec.width();
        int hidden = BlockParameters.MLP_EXPANSION * d;
        Map<String, INDArray> params = new LinkedHashMap<>();
        params.put(BlockParameters.QKV_WEIGHT, uniform(d, 3L * d));
        params.put(BlockParameters.ATTENTION_OUT_WEIGHT, uniform(d, d));
        params.put(BlockParameters.HIDDEN_WEIGHT, uniform(d, hidden));
        params.put(BlockParameters.MLP_OUT_WEIGHT, uniform(hidden, d));
        params.put(BlockParameters.QKV_BIAS, uniform(3L * d));
        params.put(BlockParameters.ATTENTION_OUT_BIAS, uniform(d));
        params.put(BlockParameters.HIDDEN_BIAS, uniform(hidden));
        params.put(BlockParameters.MLP_OUT_BIAS, uniform(d));
        params.put(BlockParameters.NORM1_GAIN, Nd4j.ones(DataType.FLOAT, d));
        params.put(BlockParameters.NORM1_BIAS, uniform(d));
        params.put(BlockParameters.NORM2_GAIN, Nd4j.ones(DataType.FLOAT, d));
        params.put(BlockParameters.NORM2_BIAS, uniform(d));
        INDArray input = uniform(examples, d, steps);
        INDArray outputGradient = uniform(examples, d, steps);
        // The products' FLOPs per position: 2·d·(3d + d + 2·4d) in the layers and 2·2·T·d in the attention,
        // forward; the backward pass twice that.
        double flops = 3.0 * examples * steps * (2.0 * d * (4 * d + 2 * hidden) + 4.0 * steps * d);
        float dropout = (float) spec.dropout();
        System.out.printf("TransformerBlockKernel on one thread, forward + backward, GFLOP/s of its products (best of"
                + " 5 timings of 2 s; %d examples of %d steps, width %d, %d heads, dropout %s)%n", examples, steps, d,
                spec.heads(), dropout);
        long seed = 1;
        for (int blocks : new int[] {1, spec.layers()}) {
            var kernels = new TransformerBlockKernel[blocks];
            for (int i = 0; i < blocks; i++) {
                kernels[i] = new TransformerBlockKernel(examples, steps, d, spec.heads());
            }
            double best = 0;
            for (int repeat = 0; repeat < 6; repeat++) {
                long start = System.nanoTime();
                int passes = 0;
                while (System.nanoTime() - start < 2e9) {
                    var masks = dropout > 0 ? new DropoutMasks(dropout, seed++) : null;
                    for (var kernel : kernels) {
                        kernel.forward(input, params, masks, 0);
                    }
                    for (int i = blocks - 1; i >= 0; i--) {
                        kernels[i].backward(outputGradient, params);
                    }
                    passes += blocks;
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                if (repeat > 0) { // the first is the JIT's warmup
                    best = Math.max(best, flops * passes / seconds / 1e9);
                }
            }
            System.out.printf("%7.1f  %d block(s), %.2f ms per block%n", best, blocks, flops / best / 1e6);
        }
    }

    /** U(-0.1, 0.1) floats. */
    private static INDArray uniform(long... shape) {
        return Nd4j.rand(DataType.FLOAT, shape).subi(0.5).muli(0.2);
    }
}
