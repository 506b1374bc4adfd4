package dev.lmpipe.spark;

import dev.lmpipe.model.kernel.Kernels;
import dev.lmpipe.storage.Storage;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Creates the SparkContext of a job. Under {@code spark-submit} the master and settings come from the submit
 * configuration; otherwise the job runs in local mode on {@code master} (default {@code local[2]}).
 */
public final class SparkContexts {
    public static final String DEFAULT_MASTER = "local[2]";

    private SparkContexts() {
    }

    /**
     * The storage of a job, with the Hadoop settings that the Spark configuration carries as
     * {@code spark.hadoop.*} (from spark-submit's --conf, spark-defaults.conf or -D system properties).
     */
    public static Storage storage(SparkConf conf) {
        var entries = new java.util.ArrayList<java.util.Map.Entry<String, String>>();
        for (var pair : conf.getAll()) {
            entries.add(java.util.Map.entry(pair._1(), pair._2()));
        }
        return Storage.fromSparkSettings(entries);
    }

    /** The storage of a job that runs without Spark (generate, report): settings from system properties. */
    public static Storage storage() {
        return storage(new SparkConf());
    }

    public static Storage storage(JavaSparkContext sc) {
        return storage(sc.getConf());
    }

    public static JavaSparkContext create(String appName, String master) {
        var conf = new SparkConf().setAppName(appName);
        if (master != null && !master.isBlank()) {
            conf.setMaster(master);
        } else if (!conf.contains("spark.master")) {
            conf.setMaster(DEFAULT_MASTER);
        }
        if (conf.get("spark.master").startsWith("local")) {
            // Local mode needs no network identity; binding to loopback avoids hostname lookups.
            conf.setIfMissing("spark.driver.host", "127.0.0.1");
            conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
            conf.setIfMissing("spark.ui.enabled", "false");
            // Every averaging round sends the parameters and Adam state to the workers and back (4 MB for the
            // LSTM). In local mode both stay in this JVM: a task result above Spark's 1 MB default takes a detour
            // through the block manager, and compressing the broadcast (floats hardly compress) is work that no
            // other JVM reads. bench/round_timings.sh (1-minute LSTM runs): a task's median time outside its run
            // 36 ms with Spark's defaults, 21 ms with these, of a round of about 1 s.
            conf.setIfMissing("spark.task.maxDirectResultSize", "64m");
            conf.setIfMissing("spark.broadcast.compress", "false");
        }
        // DL4J's Spark training statistics (sparkStatistics = true) time-stamp events with an NTP server unless told
        // otherwise, in every JVM; executors on a cluster get the system clock through their options (the driver's
        // is set by ParameterAveraging). Without it every training task fails where no NTP server answers.
        setForExecutors(conf, org.deeplearning4j.config.DL4JSystemProperties.TIMESOURCE_CLASSNAME_PROPERTY,
                org.deeplearning4j.spark.time.SystemClockTimeSource.class.getName());
        // The layers' code path (Kernels) is chosen per JVM: executors take the driver's choice.
        String kernels = System.getProperty(Kernels.PROPERTY);
        if (kernels != null) {
            setForExecutors(conf, Kernels.PROPERTY, kernels);
        }
        // ND4J arrays in 64 KB blocks instead of element by element (ArrayKryoRegistrator): the parameters and Adam
        // state go to every worker and back in every averaging round.
        conf.setIfMissing("spark.serializer", "org.apache.spark.serializer.KryoSerializer");
        conf.setIfMissing("spark.kryo.registrator", ArrayKryoRegistrator.class.getName());
        var context = new JavaSparkContext(conf);
        context.setLogLevel("WARN");
        context.sc().addSparkListener(new ExecutorEvents());
        return context;
    }

    /** Adds {@code -Dproperty=value} to the executors' JVM options, unless the user's options already set it. */
    static void setForExecutors(SparkConf conf, String property, String value) {
        String options = conf.get("spark.executor.extraJavaOptions", "");
        if (!options.contains("-D" + property + "=")) {
            conf.set("spark.executor.extraJavaOptions", (options + " -D" + property + "=" + value).strip());
        }
    }
}
