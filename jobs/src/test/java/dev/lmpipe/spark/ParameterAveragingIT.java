package dev.lmpipe.spark;

import dev.lmpipe.data.Minibatches;
import dev.lmpipe.model.LstmSpec;
import dev.lmpipe.model.Optimization;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spark parameter averaging with one worker and averaging frequency 1 is plain training: the same
 * minibatches give the same parameters and the same Adam state, round after round; so is a round of several
 * minibatches whose size the caller gives instead of DL4J counting it.
 */
class ParameterAveragingIT {
    /** Float32 training of the same operations in the same order: differences stay at rounding level. */
    private static final double TOLERANCE = 1e-5;
    private static final int VOCABULARY = 12;
    private static final int BATCH = 8;
    private static JavaSparkContext sc;

    @BeforeAll
    static void startSpark() {
        sc = LocalSpark.start("ParameterAveragingIT");
    }

    @AfterAll
    static void stopSpark() {
        sc.stop();
    }

    @Test
    void oneWorkerAveragingEveryStepEqualsSingleJvmTraining() {
        MultiLayerNetwork plain = network();
        MultiLayerNetwork averaged = plain.clone();
        var averaging = new ParameterAveraging(sc, averaged, 1, BATCH, 1, 0);
        for (DataSet minibatch : minibatches(5)) {
            plain.fit(minibatch);
            averaging.fit(sc.parallelize(List.of(minibatch), 1));
        }
        MultiLayerNetwork result = averaging.network();
        assertThat(maxDifference(result.params(), plain.params())).isLessThan(TOLERANCE);
        INDArray adamState = result.getUpdater().getStateViewArray();
        assertThat(adamState.amaxNumber().doubleValue()).isGreaterThan(0);
        assertThat(maxDifference(adamState, plain.getUpdater().getStateViewArray())).isLessThan(TOLERANCE);
    }

    @Test
    void roundsOfKnownSizeSkipTheCountAndStillEqualSingleJvmTraining() {
        MultiLayerNetwork plain = network();
        var averaging = new ParameterAveraging(sc, plain.clone(), 1, BATCH, 3, 0);
        List<DataSet> minibatches = minibatches(6);
        var reads = sc.sc().longAccumulator("minibatches read");
        for (int round = 0; round < 2; round++) {
            List<DataSet> part = minibatches.subList(3 * round, 3 * round + 3);
            part.forEach(plain::fit);
            averaging.fit(sc.parallelize(part, 1).map(minibatch -> {
                reads.add(1);
                return minibatch;
            }), part.size());
        }
        // Each minibatch computed once: no counting job went over the round before the training job.
        assertThat(reads.value()).isEqualTo(6);
        MultiLayerNetwork result = averaging.network();
        assertThat(maxDifference(result.params(), plain.params())).isLessThan(TOLERANCE);
        assertThat(maxDifference(result.getUpdater().getStateViewArray(), plain.getUpdater().getStateViewArray()))
                .isLessThan(TOLERANCE);
    }

    @Test
    void dl4jSparkDefaultWouldDropAdamStateBetweenRounds() {
        // Documents the dl4j-spark M2 quirk that ParameterAveraging works around: its builder's default
        // saveUpdater is false, so every round restarts Adam and training diverges from plain training.
        MultiLayerNetwork plain = network();
        var master = new ParameterAveragingTrainingMaster.Builder(1, BATCH).batchSizePerWorker(BATCH)
                .averagingFrequency(1).workerPrefetchNumBatches(0)
                .rddTrainingApproach(org.deeplearning4j.spark.api.RDDTrainingApproach.Direct).build();
        var spark = new SparkDl4jMultiLayer(sc, plain.clone(), master);
        for (DataSet minibatch : minibatches(5)) {
            plain.fit(minibatch);
            spark.fit(sc.parallelize(List.of(minibatch), 1));
        }
        assertThat(maxDifference(spark.getNetwork().params(), plain.params())).isGreaterThan(100 * TOLERANCE);
    }

    private static MultiLayerNetwork network() {
        return new LstmSpec(8, 16, 1, 0.0).build(VOCABULARY, new Optimization(0.01, 1.0, 10, 10, 7));
    }

    private static List<DataSet> minibatches(int count) {
        var random = new Random(3);
        var result = new ArrayList<DataSet>();
        for (int m = 0; m < count; m++) {
            int[][] windows = new int[BATCH][11];
            for (int[] window : windows) {
                for (int t = 0; t < window.length; t++) {
                    window[t] = random.nextInt(VOCABULARY);
                }
            }
            result.add(Minibatches.fromWindows(windows));
        }
        return result;
    }

    private static double maxDifference(INDArray a, INDArray b) {
        return a.sub(b).amaxNumber().doubleValue();
    }
}
