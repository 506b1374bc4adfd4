package dev.lmpipe.model.kernel;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** The kernel's buffers: the backward pass's temporaries, which kernels share, never shared by two passes at once. */
class TransformerBlockKernelTest {
    private static final int MINIBATCH = 4;
    private static final int STEPS = 16;
    private static final int WIDTH = 32;
    private static final int HEADS = 4;
    private static final int KERNELS = 4;
    private static final int PASSES = 40;

    @Test
    void kernelsRunningBackwardPassesAtOnceGetTheGradientsEachGetsAlone() throws Exception {
        var kernels = new ArrayList<Pass>();
        for (int k = 0; k < KERNELS; k++) {
            kernels.add(new Pass(k));
        }
        var alone = new ArrayList<float[]>();
        for (var pass : kernels) {
            alone.add(pass.gradients());
        }
        // Not vacuous: the kernels' gradients differ from one another.
        assertThat(alone.get(1)).isNotEqualTo(alone.get(0));

        ExecutorService threads = Executors.newFixedThreadPool(KERNELS);
        try {
            var running = new ArrayList<Future<List<float[]>>>();
            for (var pass : kernels) {
                Callable<List<float[]>> repeated = () -> {
                    var results = new ArrayList<float[]>();
                    for (int i = 0; i < PASSES; i++) {
                        results.add(pass.gradients());
                    }
                    return results;
                };
                running.add(threads.submit(repeated));
            }
            for (int k = 0; k < KERNELS; k++) {
                for (float[] gradients : running.get(k).get()) {
                    assertThat(gradients).as("kernel %d", k).containsExactly(alone.get(k));
                }
            }
        } finally {
            threads.shutdownNow();
        }
    }

    /** One kernel with parameters, input and output gradient of its own. */
    private static final class Pass {
        private final TransformerBlockKernel kernel = new TransformerBlockKernel(MINIBATCH, STEPS, WIDTH, HEADS);
        private final Map<String, INDArray> params;
        private final INDArray input;
        private final INDArray outputGradient;

        Pass(int seed) {
            params = BlockFixtures.parameters(WIDTH, 10L * seed);
            input = BlockFixtures.random(new long[] {MINIBATCH, WIDTH, STEPS}, 10L * seed + 1);
            outputGradient = BlockFixtures.random(new long[] {MINIBATCH, WIDTH, STEPS}, 10L * seed + 2);
        }

        /** A forward and a backward pass: every parameter's gradient and the input's, one after the other. */
        float[] gradients() {
            kernel.forward(input, params);
            var backward = kernel.backward(outputGradient, params);
            var values = new ArrayList<Float>();
            for (INDArray gradient : backward.parameterGradients.values()) {
                for (float value : gradient.dup().reshape(-1).toFloatVector()) {
                    values.add(value);
                }
            }
            for (float value : kernel.inputGradient().dup().reshape(-1).toFloatVector()) {
                values.add(value);
            }
            float[] all = new float[values.size()];
            for (int i = 0; i < all.length; i++) {
                all[i] = values.get(i);
            }
            return all;
        }
    }
}
