package dev.lmpipe.spark;

import org.apache.spark.api.java.JavaSparkContext;

/** The Spark context of an integration test: real Spark in local[2], bound to loopback. */
final class LocalSpark {
    private LocalSpark() {
    }

    static JavaSparkContext start(String name) {
        return SparkContexts.create(name, "local[2]");
    }
}
