import java.util.Arrays;

import org.apache.spark.sql.SparkSession;

/**
 * Reads text files with Spark SQL's text source and counts their lines: the fastest a Spark job can take text in
 * on this machine, the limit the tokenize benchmark compares lmpipe against.
 * Usage: RawRead MASTER PATH...
 */
public final class RawRead {
    private RawRead() {
    }

    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: RawRead MASTER PATH...");
            System.exit(2);
        }
        long started = System.nanoTime();
        try (var spark = SparkSession.builder().appName("raw read").master(args[0])
                .config("spark.ui.enabled", "false").getOrCreate()) {
            spark.sparkContext().setLogLevel("WARN");
            long lines = spark.read().option("recursiveFileLookup", "true").text(Arrays.copyOfRange(args, 1, args.length)).count();
            System.out.printf("raw read: %,d lines in %.1f s%n", lines, (System.nanoTime() - started) / 1e9);
        }
    }
}
