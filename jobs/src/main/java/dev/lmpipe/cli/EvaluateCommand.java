package dev.lmpipe.cli;

import dev.lmpipe.eval.EvaluateConfig;
import dev.lmpipe.spark.EvaluateJob;
import dev.lmpipe.spark.SparkContexts;
import dev.lmpipe.storage.Storage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = {"Exact loss of a checkpoint on a dataset split: nats and bits per character, perplexity,",
                "and the loss of every character. Writes report.json and report.md."})
final class EvaluateCommand implements Callable<Integer> {
    @Mixin
    JobOptions job;
    @Mixin
    SparkOptions spark;

    @Option(names = "--checkpoint", paramLabel = "DIR", description = "Checkpoint, or run directory (its best checkpoint).")
    String checkpoint;

    @Option(names = {"-d", "--dataset"}, paramLabel = "DIR", description = "Dataset with the checkpoint's vocabulary.")
    String dataset;

    @Option(names = "--split", paramLabel = "SPLIT", description = "train, validation or test.")
    String split;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", description = "Report directory (default: <run>/report).")
    String output;

    @Option(names = "--overwrite", description = "Replace an existing report directory given with --output.")
    boolean overwrite;

    @Override
    public Integer call() {
        var config = job.load(EvaluateConfig.class, EvaluateConfig.DEFAULTS, new Overrides()
                .put("checkpoint", checkpoint).put("dataset", dataset).put("split", split).put("output", output)
                .list()).requireComplete();
        try (var sc = SparkContexts.create("lmpipe evaluate", spark.master)) {
            EvaluateJob.run(sc, SparkContexts.storage(sc), config, overwrite, System.out);
        }
        return 0;
    }
}
