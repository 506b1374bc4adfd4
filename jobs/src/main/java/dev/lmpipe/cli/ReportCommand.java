package dev.lmpipe.cli;

import dev.lmpipe.spark.SparkContexts;
import dev.lmpipe.report.RunComparison;
import dev.lmpipe.storage.Storage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Compare runs: their validation curves on one chart and their final figures in one table.",
                "Writes comparison.html, comparison.json and validation.png."})
final class ReportCommand implements Callable<Integer> {
    @Option(names = "--runs", arity = "1..*", required = true, paramLabel = "RUN",
            description = "Run directories written by lmpipe train.")
    List<String> runs;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "DIR", description = "Directory to create.")
    String output;

    @Option(names = "--overwrite", description = "Replace an existing output directory.")
    boolean overwrite;

    @Override
    public Integer call() {
        var storage = SparkContexts.storage();
        var qualified = runs.stream().map(storage::qualify).toList();
        try (var staged = storage.stage(output, overwrite)) {
            var comparison = RunComparison.write(storage, staged, qualified);
            staged.commit();
            comparison.runs().forEach(r -> System.out.printf("%s: best validation %.4f nats/char (epoch %d of %d)%n",
                    r.run(), r.bestValidationLoss(), r.bestEpoch(), r.epochs()));
            System.out.println("report: comparison at " + Storage.child(staged.target(), "comparison.html"));
        }
        return 0;
    }
}
