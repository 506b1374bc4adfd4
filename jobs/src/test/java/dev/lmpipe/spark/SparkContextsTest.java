package dev.lmpipe.spark;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What the driver passes to executor JVMs, which read nothing of the driver's own system properties. */
class SparkContextsTest {
    @Test
    void aPropertyIsAddedToTheExecutorsOptionsOnce() {
        var conf = new SparkConf(false).set("spark.executor.extraJavaOptions", "-Xss4m");
        SparkContexts.setForExecutors(conf, "lmpipe.kernels", "dl4j");
        SparkContexts.setForExecutors(conf, "lmpipe.kernels", "fast");
        SparkContexts.setForExecutors(conf, "other", "1");
        assertThat(conf.get("spark.executor.extraJavaOptions")).isEqualTo("-Xss4m -Dlmpipe.kernels=dl4j -Dother=1");
    }

    @Test
    void theUsersOwnValueWins() {
        var conf = new SparkConf(false).set("spark.executor.extraJavaOptions", "-Dlmpipe.kernels=fast");
        SparkContexts.setForExecutors(conf, "lmpipe.kernels", "dl4j");
        assertThat(conf.get("spark.executor.extraJavaOptions")).isEqualTo("-Dlmpipe.kernels=fast");
    }
}
