import dev.lmpipe.config.ConfigLoader;
import dev.lmpipe.data.Manifest;
import dev.lmpipe.data.Minibatches;
import dev.lmpipe.data.Split;
import dev.lmpipe.data.WindowPlan;
import dev.lmpipe.model.Networks;
import dev.lmpipe.storage.Storage;
import dev.lmpipe.train.TrainConfig;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Plain single-JVM training of the model lmpipe's train job builds, for the "Spark local[2] ÷ plain fit" ratio of
 * bench/vs_pytorch.sh: the same configuration file, dataset, window plan and network builder, minibatches read
 * ahead of time, then {@code MultiLayerNetwork.fit} one minibatch after another for a fixed time; no Spark.
 * Prints one JSON line: chars_per_sec over the timed minibatches (the first 5 are warm-up, not timed).
 * Usage (from the repository root, after mvn package):
 * java @conf/jvm-options -cp "jobs/target/lmpipe.jar:jobs/target/lib/*" bench/PlainFit.java CONF DATASET SECONDS [KEY=VALUE...]
 */
public class PlainFit {
    public static void main(String[] args) {
        var overrides = List.of(args).subList(3, args.length);
        TrainConfig config = ConfigLoader.load(TrainConfig.class, TrainConfig.DEFAULTS, Path.of(args[0]), overrides);
        String dataset = Path.of(args[1]).toAbsolutePath().toUri().toString();
        double seconds = Double.parseDouble(args[2]);
        var storage = new Storage(Map.of());
        var manifest = Manifest.read(storage, dataset);
        var train = manifest.shards(Split.train);
        var network = config.model().spec().build(manifest.vocabulary().size(), config.optimization());
        // As the train job with one worker: threadsPerWorker, or every core when it is 0.
        int threads = config.threadsPerWorker(1, Runtime.getRuntime().availableProcessors());
        Networks.useThreads(network, threads);
        var plan = WindowPlan.epoch(train, config.seqLen(), config.batchSize(), config.seed(), 0);
        var minibatches = java.util.stream.LongStream.range(0, Math.min(plan.minibatches(), 400))
                .mapToObj(index -> Minibatches.read(storage, dataset, train, plan.minibatch(index), config.seqLen()))
                .toList();
        for (int i = 0; i < 5; i++) {
            network.fit(minibatches.get(i));
        }
        long start = System.nanoTime();
        long characters = 0;
        int fitted = 0;
        while (System.nanoTime() - start < seconds * 1e9) {
            var minibatch = minibatches.get(5 + fitted % (minibatches.size() - 5));
            network.fit(minibatch);
            characters += minibatch.getLabels().length();
            fitted++;
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        System.out.printf("{\"minibatches\": %d, \"batch\": %d, \"threads\": %d, \"seconds\": %.2f,"
                + " \"chars_per_sec\": %.1f}%n",
                fitted, config.batchSize(), threads, elapsed, characters / elapsed);
    }
}
