package dev.lmpipe.spark;

import dev.lmpipe.train.OuterOptimizer;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaRDDLike;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.core.storage.StatsStorageRouterProvider;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.spark.api.TrainingHook;
import org.deeplearning4j.spark.api.WorkerConfiguration;
import org.deeplearning4j.spark.api.worker.NetBroadcastTuple;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingResult;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingWorker;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.config.DL4JSystemProperties;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.stats.StatsUtils;
import org.deeplearning4j.spark.time.SystemClockTimeSource;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.Collection;
import java.util.UUID;

/**
 * DL4J's Spark parameter averaging, behind one class: upstream froze dl4j-spark at 1.0.0-M2, so a fix or a
 * replacement stays here. One {@link #fit} is one averaging round: each of the RDD's partitions is one
 * worker, which fits its minibatches from the broadcast parameters and updater state (in a network its JVM kept from
 * an earlier round, {@link WorkerNetworks}); the driver then averages both, and its {@link OuterOptimizer} (none:
 * plain averaging) steps from the round's starting parameters along the change to the average.
 */
public final class ParameterAveraging {
    private final JavaSparkContext sc;
    private final SparkDl4jMultiLayer spark;
    private final Master master;
    private OuterOptimizer outer = OuterOptimizer.plain();

    /**
     * @param batchSize          examples per minibatch, which is also what each RDD element holds
     * @param averagingFrequency minibatches per worker per round
     */
    public ParameterAveraging(JavaSparkContext sc, MultiLayerNetwork network, int workers, int batchSize,
                              int averagingFrequency, int prefetch) {
        this(sc, network, workers, batchSize, averagingFrequency, prefetch, false);
    }

    /** @param statistics collect DL4J's Spark training statistics (timings of every phase of every round) */
    public ParameterAveraging(JavaSparkContext sc, MultiLayerNetwork network, int workers, int batchSize,
                              int averagingFrequency, int prefetch, boolean statistics) {
        if (statistics) {
            // The statistics time-stamp events with an NTP server by default; these machines have no internet.
            System.setProperty(DL4JSystemProperties.TIMESOURCE_CLASSNAME_PROPERTY, SystemClockTimeSource.class.getName());
        }
        this.sc = sc;
        var builder = new ParameterAveragingTrainingMaster.Builder(workers, batchSize)
                .batchSizePerWorker(batchSize)
                .averagingFrequency(averagingFrequency)
                .workerPrefetchNumBatches(prefetch)
                // dl4j-spark M2's builder leaves this false despite its Javadoc; without it every round
                // would restart Adam's moment estimates (docs/design.md). ParameterAveragingIT guards it.
                .saveUpdater(true)
                // The RDD arrives already cut into one partition per worker, one round at a time.
                .rddTrainingApproach(RDDTrainingApproach.Direct)
                .repartionData(Repartition.Never)
                .storageLevel(null)
                .collectTrainingStats(statistics);
        this.master = new Master(builder);
        master.addHook(new ViewUpdaterHook());
        master.addHook(new SeededRandomHook());
        this.spark = new SparkDl4jMultiLayer(sc, network, master);
        spark.setCollectTrainingStats(statistics);
    }

    /** Steps with {@code outer} after each round instead of taking the workers' average as it is. */
    public ParameterAveraging outer(OuterOptimizer outer) {
        this.outer = outer;
        return this;
    }

    /** The outer optimizer's momentum, which a checkpoint saves; null when it has none. */
    public float[] outerMomentum() {
        return outer.momentum();
    }

    /** Writes DL4J's HTML timeline of the statistics collected so far; does nothing if none were collected. */
    public void exportStatistics(String path) {
        var statistics = spark.getSparkTrainingStats();
        if (statistics != null) {
            try {
                StatsUtils.exportStatsAsHtml(statistics, path, sc);
            } catch (Exception e) {
                throw new IllegalStateException("cannot write Spark training statistics to " + path, e);
            }
        }
    }

    /**
     * Totals of DL4J's statistics, per key (master and workers): events, summed and longest duration in ms. The
     * master's keys time each round's broadcast, fit (the Spark job), aggregation and updater processing; the
     * workers' their broadcast fetch, initialisation and fitting. Empty when none were collected.
     */
    public java.util.Map<String, java.util.Map<String, Long>> statisticsTotals() {
        var totals = new java.util.TreeMap<String, java.util.Map<String, Long>>();
        for (var stats = spark.getSparkTrainingStats(); stats != null; stats = stats.getNestedTrainingStats()) {
            for (String key : stats.getKeySet()) {
                var events = stats.getValue(key);
                if (events == null) {
                    continue;
                }
                long sum = 0;
                long max = 0;
                for (var event : events) {
                    sum += event.getDurationMs();
                    max = Math.max(max, event.getDurationMs());
                }
                totals.put(key, java.util.Map.of("events", (long) events.size(), "totalMs", sum, "maxMs", max));
            }
        }
        return totals;
    }

    /**
     * Runs one averaging round and returns the workers' mean minibatch score (DL4J's units). DL4J counts the
     * round's minibatches in a Spark job of its own, which computes the RDD once more; see {@link #fit(JavaRDD, long)}.
     */
    public double fit(JavaRDD<DataSet> round) {
        return fit(round, -1);
    }

    /**
     * {@link #fit(JavaRDD)} for a round whose number of minibatches the caller knows: DL4J skips its counting job,
     * which for a round read from shards would read every minibatch twice (3-4% of an LSTM round in local mode).
     */
    public double fit(JavaRDD<DataSet> round, long minibatches) {
        master.knownCount = minibatches;
        INDArray start = outer.stepsFromAverage() ? network().params().dup() : null;
        try {
            spark.fit(round);
        } finally {
            master.knownCount = -1;
            master.destroyBroadcast();
        }
        if (start != null) {
            outer.step(start, network().params());
        }
        return spark.getScore();
    }

    /** The averaged network, updater state included. */
    public MultiLayerNetwork network() {
        return spark.getNetwork();
    }

    /**
     * DL4J's master, told the round's size instead of counting it with a Spark job when the caller knows it, whose
     * workers start from networks kept from earlier rounds ({@link WorkerNetworks}) and whose round's broadcast is
     * destroyed when the round ends instead of when the driver's garbage collector finds it.
     */
    private static final class Master extends ParameterAveragingTrainingMaster {
        /** Tells this training's kept networks from those of any other in the same JVM. */
        private final String training = UUID.randomUUID().toString();
        private long knownCount = -1;
        private Broadcast<NetBroadcastTuple> broadcast;

        private Master(Builder builder) {
            super(builder);
        }

        @Override
        protected <T, R extends JavaRDDLike<T, R>> long getTotalDataSetObjectCount(JavaRDDLike<T, R> data) {
            return knownCount >= 0 ? knownCount : super.getTotalDataSetObjectCount(data);
        }

        /** DL4J's worker of a round, as DL4J's master makes it (the broadcast of the network), keeping networks. */
        @Override
        public ParameterAveragingTrainingWorker getWorkerInstance(SparkDl4jMultiLayer spark) {
            var network = spark.getNetwork();
            var tuple = new NetBroadcastTuple(network.getLayerWiseConfigurations(), network.params(),
                    network.getUpdater().getStateViewArray());
            if (collectTrainingStats) {
                stats.logBroadcastStart();
            }
            destroyBroadcast(); // a round in several splits: the split before this one is done
            broadcast = spark.getSparkContext().broadcast(tuple);
            if (collectTrainingStats) {
                stats.logBroadcastEnd();
            }
            var configuration = new WorkerConfiguration(false, rddDataSetNumExamples, batchSizePerWorker,
                    averagingFrequency, prefetchNumBatches, collectTrainingStats);
            return new KeepingWorker(training, broadcast, saveUpdater, configuration, trainingHookList, listeners,
                    getRouterProvider());
        }

        void destroyBroadcast() {
            if (broadcast != null) {
                broadcast.destroy();
                broadcast = null;
            }
        }
    }

    /**
     * DL4J's worker, starting from a network this JVM kept from an earlier round of the same training when there is
     * one, and keeping its network for the next round when it is done.
     */
    private static final class KeepingWorker extends ParameterAveragingTrainingWorker {
        private static final long serialVersionUID = 1L;
        private final String training;
        private final Broadcast<NetBroadcastTuple> broadcast;

        KeepingWorker(String training, Broadcast<NetBroadcastTuple> broadcast, boolean saveUpdater,
                      WorkerConfiguration configuration, Collection<TrainingHook> hooks,
                      Collection<TrainingListener> listeners, StatsStorageRouterProvider router) {
            super(broadcast, saveUpdater, configuration, hooks, listeners, router);
            this.training = training;
            this.broadcast = broadcast;
        }

        /** DL4J's worker starts its statistics where it builds the network: with statistics, it builds every round. */
        private boolean keepsNetworks() {
            return !getDataConfiguration().isCollectTrainingStats();
        }

        @Override
        public MultiLayerNetwork getInitialModel() {
            MultiLayerNetwork kept = keepsNetworks() ? WorkerNetworks.take(training) : null;
            if (kept != null) {
                NetBroadcastTuple round = broadcast.getValue();
                if (WorkerNetworks.startRound(kept, round.getConfiguration(), round.getParameters(),
                        round.getUpdaterState())) {
                    return kept;
                }
            }
            return super.getInitialModel();
        }

        @Override
        public ParameterAveragingTrainingResult getFinalResult(MultiLayerNetwork network) {
            var result = super.getFinalResult(network);
            if (!keepsNetworks()) {
                return result;
            }
            // The result holds views of the network's arrays and Spark serializes it after this returns: copies, so
            // that the network can start another task's round.
            var copied = new ParameterAveragingTrainingResult(result.getParameters().dup(),
                    result.getUpdaterState() == null ? null : result.getUpdaterState().dup(), result.getScore(),
                    result.getListenerMetaData(), result.getListenerStaticInfo(), result.getListenerUpdates());
            WorkerNetworks.give(training, network);
            return copied;
        }
    }
}
