/**
 * The Spark jobs: thin entry points that read a configuration, set up Spark and call {@code core}. Spark
 * lambdas here are one-line adapters to tested {@code core} functions. {@link dev.lmpipe.spark.ParameterAveraging}
 * is the only class that touches dl4j-spark, which upstream has frozen at 1.0.0-M2.
 */
package dev.lmpipe.spark;
