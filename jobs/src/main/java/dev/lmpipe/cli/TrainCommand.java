package dev.lmpipe.cli;

import dev.lmpipe.spark.SparkContexts;
import dev.lmpipe.spark.TrainJob;
import dev.lmpipe.storage.Storage;
import dev.lmpipe.train.TrainConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.lang.management.ManagementFactory;
import java.util.concurrent.Callable;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train a character model (LSTM, transformer or MLP) with DL4J's Spark parameter averaging.",
                "Writes a checkpoint and a metrics.jsonl line after every epoch to the run directory."})
final class TrainCommand implements Callable<Integer> {
    @Mixin
    JobOptions job;
    @Mixin
    SparkOptions spark;

    @Option(names = {"-d", "--dataset"}, paramLabel = "DIR", description = "Dataset written by tokenize.")
    String dataset;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", description = "Run directory for checkpoints and metrics.")
    String output;

    @Option(names = "--resume", description = "Continue from the run directory's latest complete checkpoint.")
    boolean resume;

    @Option(names = "--overwrite", description = "Delete an existing run directory and start over.")
    boolean overwrite;

    @Override
    public Integer call() {
        var config = job.load(TrainConfig.class, TrainConfig.DEFAULTS, new Overrides()
                .put("dataset", dataset).put("output", output).list()).requireComplete();
        try (var sc = SparkContexts.create("lmpipe train", spark.master)) {
            new TrainJob(sc, SparkContexts.storage(sc), config, System.out).budgetFrom(jvmStartNanos())
                    .run(resume, overwrite);
        }
        return 0;
    }

    /** This JVM's start on {@link System#nanoTime()}'s clock: maxMinutes is the whole command's wall time. */
    private static long jvmStartNanos() {
        long sinceStartMillis = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
        return System.nanoTime() - sinceStartMillis * 1_000_000L;
    }
}
