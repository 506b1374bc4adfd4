import dev.lmpipe.config.ConfigLoader;
import dev.lmpipe.model.TransformerSpec;
import dev.lmpipe.train.TrainConfig;
import org.bytedeco.javacpp.FloatPointer;

import java.nio.file.Path;
import java.util.List;

import static org.bytedeco.openblas.global.openblas.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas.CblasTrans;
import static org.bytedeco.openblas.global.openblas.blas_set_num_threads;
import static org.bytedeco.openblas.global.openblas.cblas_sgemm;

/**
 * The speed of OpenBLAS alone, on one thread, on the matrix products a transformer block's training step issues
 * (TransformerBlockKernel, with the minibatch sliced over 2 threads as the train job slices it): each shape called
 * again and again on the same memory, so the numbers are what the products reach with their operands in cache, to
 * set beside bench/step_profile.sh's shares of the step and a 2048^3 product on the same thread.
 * Usage (from the repository root, after mvn package):
 * java -cp "jobs/target/lmpipe.jar:jobs/target/lib/*" bench/GemmShapes.java CONF [KEY=VALUE...]
 */
public class GemmShapes {
    public static void main(String[] args) {
        TrainConfig config = ConfigLoader.load(TrainConfig.class, TrainConfig.DEFAULTS, Path.of(args[0]),
                List.of(args).subList(1, args.length));
        if (!(config.model().spec() instanceof TransformerSpec spec)) {
            System.out.println("GemmShapes: " + args[0] + " is not a transformer; nothing to time");
            return;
        }
        blas_set_num_threads(1);
        int rows = config.batchSize() / 2 * config.seqLen(); // one of two slices
        int d = spec.width();
        int h = 4 * d;
        int t = config.seqLen();
        int head = d / spec.heads();
        System.out.printf("OpenBLAS sgemm on one thread, GFLOP/s (best of 7; slice of %d rows, width %d, %d steps,"
                + " head size %d)%n", rows, d, t, head);
        time("2048 x 2048 x 2048 (the peak's shape)", false, false, 2048, 2048, 2048);
        time("qkv = x W (forward)", false, false, rows, 3 * d, d);
        time("u = x W1 (forward)", false, false, rows, h, d);
        time("y = gelu(u) W2 (forward)", false, false, rows, d, h);
        time("x2 = a Wo (forward)", false, false, rows, d, d);
        time("dW2 = gelu(u)^T dy", true, false, h, d, rows);
        time("dgelu = dy W2^T", false, true, rows, h, d);
        time("dWqkv = x^T dqkv", true, false, d, 3 * d, rows);
        time("dx = dqkv Wqkv^T", false, true, rows, d, 3 * d);
        time("S = q k^T (per example, head)", false, true, t, t, head);
        time("a = P v (per example, head)", false, false, t, head, t);
        time("dv = P^T da (per example, head)", true, false, t, head, t);
    }

    private static void time(String name, boolean transposeA, boolean transposeB, int m, int n, int k) {
        var a = filled((long) m * k);
        var b = filled((long) k * n);
        var c = new FloatPointer((long) m * n);
        long flops = 2L * m * n * k;
        int calls = (int) Math.max(2, 2e9 / flops); // about 2 GFLOP per timing
        double best = Double.MAX_VALUE;
        for (int repeat = 0; repeat < 7; repeat++) {
            long start = System.nanoTime();
            for (int call = 0; call < calls; call++) {
                cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans,
                        transposeB ? CblasTrans : CblasNoTrans, m, n, k, 1f, a, transposeA ? m : k, b,
                        transposeB ? k : n, 0f, c, n);
            }
            best = Math.min(best, (System.nanoTime() - start) / 1e9 / calls);
        }
        System.out.printf("%7.1f  %-40s %5d x %5d x %5d%n", flops / best / 1e9, name, m, n, k);
    }

    private static FloatPointer filled(long length) {
        var pointer = new FloatPointer(length);
        for (long i = 0; i < length; i++) {
            pointer.put(i, (float) Math.sin(i));
        }
        return pointer;
    }
}
