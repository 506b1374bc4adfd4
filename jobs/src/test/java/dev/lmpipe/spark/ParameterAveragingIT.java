package dev.lmpipe.spark;

import dev.lmpipe.data.Minibatches;
import dev.lmpipe.model.FastAdam;
import dev.lmpipe.model.LearningRateSchedule;
import dev.lmpipe.model.LstmSpec;
import dev.lmpipe.model.Networks;
import dev.lmpipe.model.Optimization;
import dev.lmpipe.train.AveragingConfig;
import dev.lmpipe.train.OuterOptimizer;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.impl.LossSparseMCXENT;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a round of parameter averaging computes. With one worker and averaging frequency 1 it is plain training: the
 * same minibatches give the same parameters and the same Adam state, round after round; so is a round of several
 * minibatches whose size the caller gives instead of DL4J counting it. With W workers, each fits its own minibatches
 * from the same start and the driver takes the mean of their parameters and of their Adam states (with SGD, one
 * round is one step on the W minibatches together); the outer optimizer then steps from the round's start along the
 * change to that mean.
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

    @ParameterizedTest
    @ValueSource(ints = {2, 4})
    void withSgdOneRoundOfWorkersIsOneStepOnTheirMinibatchesTogether(int workers) {
        MultiLayerNetwork single = sgdNetwork();
        var averaging = new ParameterAveraging(sc, single.clone(), workers, BATCH, 1, 0);
        List<DataSet> minibatches = minibatches(2 * workers);
        for (int round = 0; round < 2; round++) {
            List<DataSet> part = minibatches.subList(workers * round, workers * (round + 1));
            single.fit(DataSet.merge(part));
            averaging.fit(sc.parallelize(part, workers), workers);
        }
        // The mean of W minibatch-mean gradients is the gradient of their union (equal sizes); the sums run in
        // another order, so the parameters (of order 0.1-1) agree to float rounding, not bit for bit.
        assertThat(maxDifference(averaging.network().params(), single.params())).isLessThan(1e-6);
        assertThat(maxDifference(single.params(), sgdNetwork().params())).as("training moved the parameters")
                .isGreaterThan(1e-3);
    }

    @Test
    void twoWorkersWithAdamAverageTheirParametersAndTheirAdamStates() {
        MultiLayerNetwork start = network();
        var averaging = new ParameterAveraging(sc, start.clone(), 2, BATCH, 2, 0);
        List<DataSet> minibatches = minibatches(4);
        averaging.fit(sc.parallelize(minibatches, 2), minibatches.size());

        // What each worker computes alone: its partition's two minibatches, from the same start.
        MultiLayerNetwork first = start.clone();
        MultiLayerNetwork second = start.clone();
        minibatches.subList(0, 2).forEach(first::fit);
        minibatches.subList(2, 4).forEach(second::fit);
        MultiLayerNetwork result = averaging.network();
        assertThat(maxDifference(result.params(), mean(first.params(), second.params()))).isLessThan(TOLERANCE);
        INDArray firstState = first.getUpdater().getStateViewArray();
        INDArray secondState = second.getUpdater().getStateViewArray();
        assertThat(maxDifference(firstState, secondState)).as("the workers' states differ").isGreaterThan(1e-4);
        assertThat(maxDifference(result.getUpdater().getStateViewArray(), mean(firstState, secondState)))
                .isLessThan(TOLERANCE);
    }

    @Test
    void theOuterStepMovesFromTheRoundsStartAlongTheChangeToTheWorkersMean() {
        var config = new AveragingConfig(OuterOptimizer.Kind.nesterov, 0.7, 0.9);
        MultiLayerNetwork start = network();
        var averaging = new ParameterAveraging(sc, start.clone(), 2, BATCH, 1, 0)
                .outer(new OuterOptimizer(config, null));
        var byHand = new OuterOptimizer(config, null);
        INDArray expected = start.params().dup();
        List<DataSet> minibatches = minibatches(4);
        for (int round = 0; round < 2; round++) {
            List<DataSet> part = minibatches.subList(2 * round, 2 * round + 2);
            // The workers' mean from this round's start, then the outer step on it.
            MultiLayerNetwork first = averaging.network().clone();
            MultiLayerNetwork second = averaging.network().clone();
            first.fit(part.get(0));
            second.fit(part.get(1));
            INDArray roundStart = expected.dup();
            expected = mean(first.params(), second.params());
            byHand.step(roundStart, expected);
            averaging.fit(sc.parallelize(part, 2), 2);
            assertThat(maxDifference(averaging.network().params(), expected)).as("round %d", round + 1)
                    .isLessThan(TOLERANCE);
        }
        assertThat(maxDifference(Nd4j.createFromArray(averaging.outerMomentum()),
                Nd4j.createFromArray(byHand.momentum()))).isLessThan(TOLERANCE);
    }

    @Test
    void withAScheduleEveryWorkerStepsAtTheRateOfTheJobsGlobalStep() {
        // Two workers of 8 windows × 10 characters: each iteration of both trains 160 characters of the job.
        long perIteration = 2L * BATCH * 10;
        var schedule = new LearningRateSchedule(LearningRateSchedule.Shape.linear, 0.01, 0, 8 * perIteration, 0.0,
                perIteration);
        var averaging = new ParameterAveraging(sc, network(), 2, BATCH, 2, 0);
        List<DataSet> minibatches = minibatches(8);
        long characters = 0;
        for (int round = 0; round < 2; round++) {
            MultiLayerNetwork driver = averaging.network();
            Networks.setLearningRate(driver, schedule.anchoredAt(characters, driver.getIterationCount()));
            // What each worker computes alone from the round's start: it starts at the driver's iteration count,
            // and its k-th step must take the rate of the job's k-th step of the round, which both workers take.
            MultiLayerNetwork first = driver.clone();
            MultiLayerNetwork second = driver.clone();
            for (int k = 0; k < 2; k++) {
                int iteration = first.getIterationCount();
                double rate = ((FastAdam) first.getLayerWiseConfigurations().getConf(1).getLayer()
                        .getUpdaterByParam("W")).getLearningRate(iteration, 0);
                assertThat(rate).as("round %d step %d", round + 1, k + 1)
                        .isEqualTo(schedule.at(characters + k * perIteration))
                        .isEqualTo(0.01 * (1 - (round * 2 + k) / 8.0), org.assertj.core.data.Offset.offset(1e-12));
                first.fit(minibatches.get(4 * round + k));
                second.fit(minibatches.get(4 * round + 2 + k));
            }
            List<DataSet> part = new ArrayList<>(minibatches.subList(4 * round, 4 * round + 4));
            averaging.fit(sc.parallelize(part, 2), part.size());
            assertThat(maxDifference(averaging.network().params(), mean(first.params(), second.params())))
                    .as("round %d", round + 1).isLessThan(TOLERANCE);
            characters += 2 * perIteration;
        }
        // DL4J moves the driver's count on by the averaging frequency each round: one per step of every worker.
        assertThat(averaging.network().getIterationCount()).isEqualTo(4);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void workersNetworksKeptFromRoundToRoundTrainExactlyAsOnesBuiltEachRound(int workers) {
        // lmpipe's LSTM with dropout and a schedule: the kept network must take the round's parameters, Adam state,
        // iteration count and rates from the broadcast, and its dropout masks must follow the step as a new one's do.
        MultiLayerNetwork start = new LstmSpec(8, 16, 2, 0.3).build(VOCABULARY, new Optimization(0.01, 1.0, 10, 10, 7));
        long perIteration = (long) workers * BATCH * 10;
        var schedule = new LearningRateSchedule(LearningRateSchedule.Shape.cosine, 0.01, perIteration, 9 * perIteration,
                0.1, perIteration);
        // DL4J's statistics make its worker build the network every round.
        var built = new ParameterAveraging(sc, start.clone(), workers, BATCH, 3, 0, true);
        var kept = new ParameterAveraging(sc, start.clone(), workers, BATCH, 3, 0);
        int perRound = 3 * workers;
        List<DataSet> minibatches = minibatches(3 * perRound);
        for (int round = 0; round < 3; round++) {
            List<DataSet> part = minibatches.subList(perRound * round, perRound * (round + 1));
            for (var averaging : List.of(built, kept)) {
                var driver = averaging.network();
                Networks.setLearningRate(driver, schedule.anchoredAt(3L * round * perIteration, driver.getIterationCount()));
                averaging.fit(sc.parallelize(part, workers), part.size());
            }
            // One network per task that ran at once: as many as the workers, or fewer if a task started after another
            // had finished.
            assertThat(WorkerNetworks.idle()).as("networks kept after round %d", round + 1).isBetween(1, workers);
        }
        // Bit for bit: the same arithmetic on the same values (the mean of two workers is the same sum either way).
        assertThat(maxDifference(kept.network().params(), built.network().params())).isZero();
        assertThat(maxDifference(kept.network().getUpdater().getStateViewArray(),
                built.network().getUpdater().getStateViewArray())).isZero();
        assertThat(maxDifference(kept.network().params(), start.params())).as("training moved the parameters")
                .isGreaterThan(1e-3);
    }

    private static INDArray mean(INDArray a, INDArray b) {
        return a.add(b).divi(2);
    }

    /** A plain DL4J LSTM trained by SGD, so that a step is the gradient times the learning rate. */
    private static MultiLayerNetwork sgdNetwork() {
        var conf = new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.FLOAT).updater(new Sgd(0.5))
                .list()
                .layer(new EmbeddingSequenceLayer.Builder().nIn(VOCABULARY).nOut(8)
                        .outputDataFormat(RNNFormat.NCW).build())
                .layer(new LSTM.Builder().nIn(8).nOut(16).activation(Activation.TANH).dataFormat(RNNFormat.NCW).build())
                .layer(new RnnOutputLayer.Builder(new LossSparseMCXENT()).nIn(16).nOut(VOCABULARY)
                        .activation(Activation.SOFTMAX).dataFormat(RNNFormat.NCW).build())
                .build();
        var network = new MultiLayerNetwork(conf);
        network.init();
        return network;
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
