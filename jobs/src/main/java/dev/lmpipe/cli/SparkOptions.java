package dev.lmpipe.cli;

import picocli.CommandLine.Option;

/** Where Spark runs when the job is not launched by spark-submit. */
final class SparkOptions {
    @Option(names = "--master", paramLabel = "URL",
            description = "Spark master, e.g. local[2] or spark://host:7077 (default: spark-submit's, else local[2]).")
    String master;
}
