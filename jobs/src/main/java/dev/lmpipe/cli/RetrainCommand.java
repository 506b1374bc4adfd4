package dev.lmpipe.cli;

import dev.lmpipe.retrain.RetrainConfig;
import dev.lmpipe.spark.RetrainJob;
import dev.lmpipe.spark.SparkContexts;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "retrain", mixinStandardHelpOptions = true,
        description = {"Nightly retraining: tokenize new data with the champion's vocabulary, train a challenger from"
                + " the champion, score both on the same held-out split, and promote the challenger only if it is"
                + " better by the margin.",
                "Writes HOME/runs/<time>/ (dataset, train, decision.md, decision.json), appends HOME/decisions.jsonl"
                + " and, on promotion, moves HOME/champion. deploy/ schedules it (cron with a lock, Kubernetes)."})
final class RetrainCommand implements Callable<Integer> {
    @Mixin
    JobOptions job;
    @Mixin
    SparkOptions spark;

    @Parameters(paramLabel = "INPUT", arity = "0..*", description = "The new data: files, folders or globs.")
    List<String> inputs = List.of();

    @Option(names = "--home", paramLabel = "DIR", description = "Model home (created by the first run).")
    String home;

    @Override
    public Integer call() {
        var config = job.load(RetrainConfig.class, RetrainConfig.DEFAULTS, new Overrides()
                .put("input", inputs.isEmpty() ? null : String.join(",", inputs)).put("home", home).list())
                .requireComplete();
        try (var sc = SparkContexts.create("lmpipe retrain", spark.master)) {
            RetrainJob.run(sc, SparkContexts.storage(sc), config, System.out);
        }
        return 0;
    }
}
