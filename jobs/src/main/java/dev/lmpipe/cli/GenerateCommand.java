package dev.lmpipe.cli;

import dev.lmpipe.spark.SparkContexts;
import dev.lmpipe.generate.Comparison;
import dev.lmpipe.generate.GenerateConfig;
import dev.lmpipe.generate.Generator;
import dev.lmpipe.storage.Storage;
import dev.lmpipe.train.CheckpointStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.concurrent.Callable;

@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Generate text from a checkpoint: the model reads the prompt, then produces one character at a",
                "time with its state carried. Sampling (temperature, then top-k, then top-p), greedy, or beam search;",
                "--compare runs the standard strategies side by side with statistics."})
final class GenerateCommand implements Callable<Integer> {
    @Mixin
    JobOptions job;

    @Option(names = "--checkpoint", paramLabel = "DIR", description = "Checkpoint, or run directory (its best checkpoint).")
    String checkpoint;

    @Option(names = {"-p", "--prompt"}, paramLabel = "TEXT", description = "Text to continue.")
    String prompt;

    @Option(names = {"-n", "--max-chars", "--length"}, paramLabel = "N", description = "At most this many characters.")
    Integer length;

    @Option(names = "--strategy", paramLabel = "S", description = "sample, greedy or beam.")
    String strategy;

    @Option(names = {"-t", "--temperature"}, paramLabel = "T", description = "Sampling temperature; 0 is greedy.")
    Double temperature;

    @Option(names = "--top-k", paramLabel = "K", description = "Sample among the K most likely characters (0: all).")
    Integer topK;

    @Option(names = "--top-p", paramLabel = "P", description = "Sample from the nucleus of mass P (1: all).")
    Double topP;

    @Option(names = "--beam", paramLabel = "W", description = "Beam width; implies --strategy beam.")
    Integer beam;

    @Option(names = "--num-samples", paramLabel = "N", description = "Texts to produce (samples, or the N best beams).")
    Integer numSamples;

    @Option(names = "--stop-at", paramLabel = "TEXT", description = "End a text right after this string.")
    String stopAt;

    @Option(names = "--seed", paramLabel = "N", description = "Sampling seed.")
    Long seed;

    @Option(names = "--compare", description = "Run greedy, T=0.5/1.0/1.5, top-k 10, top-p 0.9 and beam 5 and print a table.")
    boolean compare;

    @Override
    public Integer call() {
        var config = job.load(GenerateConfig.class, GenerateConfig.DEFAULTS, new Overrides()
                .put("checkpoint", checkpoint).put("prompt", Overrides.verbatim(prompt)).put("length", length)
                .put("strategy", beam != null && strategy == null ? "beam" : strategy)
                .put("temperature", temperature).put("topK", topK).put("topP", topP).put("beam", beam)
                .put("numSamples", numSamples).put("stopAt", Overrides.verbatim(stopAt)).put("seed", seed).list()).requireComplete();
        var storage = SparkContexts.storage();
        var generator = load(storage, config);
        int[] ids = generator.encodePrompt(config.prompt(), config.unknown());
        if (compare) {
            var rows = Comparison.run(generator, ids, config);
            for (var row : rows) {
                System.out.println("== " + row.strategy());
                System.out.println(config.prompt() + row.text());
            }
            System.out.println();
            System.out.print(Comparison.table(rows));
        } else {
            long start = System.nanoTime();
            var generations = config.strategy().generate(generator, ids, config);
            double seconds = (System.nanoTime() - start) / 1e9;
            print(System.out, config, generations);
            int characters = generations.stream().mapToInt(Generator.Generation::characters).sum();
            // On stderr, so that stdout stays the generated text only.
            System.err.printf("generate: %,d characters in %.2f s (%,.0f characters/s, prompt included in the time)%n",
                    characters, seconds, characters / seconds);
        }
        return 0;
    }

    static Generator load(Storage storage, GenerateConfig config) {
        String path = CheckpointStore.resolve(storage, storage.qualify(config.checkpoint()), CheckpointStore.BEST);
        var checkpoint = CheckpointStore.load(storage, path);
        return new Generator(checkpoint.network(), checkpoint.vocabulary(), checkpoint.spec().window());
    }

    static void print(PrintStream out, GenerateConfig config, java.util.List<Generator.Generation> generations) {
        for (int i = 0; i < generations.size(); i++) {
            if (generations.size() > 1) {
                out.printf("== %d of %d (log-probability %.2f nats)%n", i + 1, generations.size(), generations.get(i).logProbability());
            }
            out.println(config.prompt() + generations.get(i).text());
        }
    }
}
