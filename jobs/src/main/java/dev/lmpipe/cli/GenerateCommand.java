package dev.lmpipe.cli;

import dev.lmpipe.generate.GenerateConfig;
import dev.lmpipe.generate.Generator;
import dev.lmpipe.generate.Sampler;
import dev.lmpipe.storage.Storage;
import dev.lmpipe.train.CheckpointStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.concurrent.Callable;

@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Generate text from a checkpoint: the model is primed with the prompt, then steps one",
                "character at a time with its state carried. Temperature 0 is greedy."})
final class GenerateCommand implements Callable<Integer> {
    @Mixin
    JobOptions job;

    @Option(names = "--checkpoint", paramLabel = "DIR", description = "Checkpoint, or run directory (its best checkpoint).")
    String checkpoint;

    @Option(names = {"-p", "--prompt"}, paramLabel = "TEXT", description = "Text to continue.")
    String prompt;

    @Option(names = {"-n", "--length"}, paramLabel = "N", description = "Characters to generate.")
    Integer length;

    @Option(names = {"-t", "--temperature"}, paramLabel = "T", description = "Sampling temperature; 0 is greedy.")
    Double temperature;

    @Option(names = "--seed", paramLabel = "N", description = "Sampling seed.")
    Long seed;

    @Override
    public Integer call() {
        var config = job.load(GenerateConfig.class, GenerateConfig.DEFAULTS, new Overrides()
                .put("checkpoint", checkpoint).put("prompt", prompt).put("length", length)
                .put("temperature", temperature).put("seed", seed).list()).requireComplete();
        run(new Storage(), config, System.out);
        return 0;
    }

    static String run(Storage storage, GenerateConfig config, PrintStream out) {
        String path = CheckpointStore.resolve(storage, storage.qualify(config.checkpoint()), CheckpointStore.BEST);
        var checkpoint = CheckpointStore.load(storage, path);
        var generator = new Generator(checkpoint.network(), checkpoint.vocabulary());
        int[] prompt = generator.encodePrompt(config.prompt(), config.unknown());
        String text = generator.generate(prompt, config.length(), new Sampler(config.temperature(), config.seed()));
        out.println(config.prompt() + text);
        return text;
    }
}
