package dev.lmpipe.cli;

import dev.lmpipe.config.ConfigLoader;
import dev.lmpipe.data.TokenizeConfig;
import dev.lmpipe.eval.EvaluateConfig;
import dev.lmpipe.generate.GenerateConfig;
import dev.lmpipe.spark.EvaluateJob;
import dev.lmpipe.spark.SparkContexts;
import dev.lmpipe.spark.TokenizeJob;
import dev.lmpipe.spark.TrainJob;
import dev.lmpipe.storage.Storage;
import dev.lmpipe.train.TrainConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"tokenize → train → evaluate → generate in a row, on the bundled sample by default,",
                "with the configurations conf/tokenize.conf, conf/train-demo.conf, conf/evaluate.conf, conf/generate.conf."})
final class DemoCommand implements Callable<Integer> {
    @Mixin
    SparkOptions spark;

    @Option(names = "--corpus", paramLabel = "PATH", description = "Text to learn (default: ${DEFAULT-VALUE}).")
    String corpus = "data-samples/sample.txt";

    @Option(names = "--work", paramLabel = "DIR", description = "Where the dataset and run go (default: ${DEFAULT-VALUE}).")
    String work = "work/demo";

    @Option(names = "--conf", paramLabel = "DIR", description = "Configuration folder (default: ${DEFAULT-VALUE}).")
    Path conf = Path.of("conf");

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a training setting, e.g. --set epochs=1.")
    List<String> trainOverrides = List.of();

    @Override
    public Integer call() {
        String dataset = work + "/dataset";
        String run = work + "/run";
        var storage = SparkContexts.storage();
        var tokenize = ConfigLoader.load(TokenizeConfig.class, TokenizeConfig.DEFAULTS, conf.resolve("tokenize.conf"),
                List.of("input=" + corpus, "output=" + dataset));
        var trainSettings = new java.util.ArrayList<>(List.of("dataset=" + dataset, "output=" + run));
        trainSettings.addAll(trainOverrides);
        var train = ConfigLoader.load(TrainConfig.class, TrainConfig.DEFAULTS, conf.resolve("train-demo.conf"), trainSettings);
        var evaluate = ConfigLoader.load(EvaluateConfig.class, EvaluateConfig.DEFAULTS, conf.resolve("evaluate.conf"),
                List.of("checkpoint=" + run, "dataset=" + dataset));
        var generate = ConfigLoader.load(GenerateConfig.class, GenerateConfig.DEFAULTS, conf.resolve("generate.conf"),
                List.of("checkpoint=" + run));
        long started = System.nanoTime();
        try (var sc = SparkContexts.create("lmpipe demo", spark.master)) {
            System.out.println("== tokenize " + corpus);
            TokenizeJob.run(sc, storage, tokenize, true, System.out);
            System.out.println("== train");
            new TrainJob(sc, storage, train, System.out).run(false, true);
            System.out.println("== evaluate");
            EvaluateJob.run(sc, storage, evaluate, true, System.out);
        }
        System.out.println("== generate (" + generate.sampling().label() + ")");
        var generator = GenerateCommand.load(storage, generate);
        GenerateCommand.print(System.out, generate, generate.strategy().generate(generator,
                generator.encodePrompt(generate.prompt(), generate.unknown()), generate));
        System.out.printf("== demo done in %.0f s; report: %s%n", (System.nanoTime() - started) / 1e9,
                Path.of(run, "report", "report.html").toAbsolutePath());
        return 0;
    }
}
