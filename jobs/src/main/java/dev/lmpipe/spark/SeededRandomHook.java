package dev.lmpipe.spark;

import org.apache.spark.TaskContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Seeds the random generator of the thread that fits each minibatch (dropout's masks come from it) from the
 * configuration's seed, the step and the worker. ND4J's generators are per thread, and a Spark task thread's starts
 * from the clock, so without this the same configuration trained with dropout differently every time.
 */
final class SeededRandomHook extends MinibatchHook {
    private static final long serialVersionUID = 1L;

    @Override
    void beforeMinibatch(MultiLayerNetwork network) {
        TaskContext task = TaskContext.get();
        int worker = task == null ? 0 : task.partitionId();
        long configured = network.getLayerWiseConfigurations().getConfs().get(0).getSeed();
        Nd4j.getRandom().setSeed(seed(configured, network.getIterationCount(), worker));
    }

    /** A seed per (configuration seed, step, worker), mixed (SplitMix64) so that neighbouring steps get unrelated masks. */
    static long seed(long configured, long step, int worker) {
        long z = configured ^ (step * 0x9E3779B97F4A7C15L) ^ ((long) worker << 48);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
