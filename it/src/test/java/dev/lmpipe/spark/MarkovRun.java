package dev.lmpipe.spark;

import dev.lmpipe.config.ConfigLoader;
import dev.lmpipe.generate.Generator;
import dev.lmpipe.generate.Sampler;
import dev.lmpipe.generate.UnknownCharacters;
import dev.lmpipe.storage.Storage;
import dev.lmpipe.train.Checkpoint;
import dev.lmpipe.train.CheckpointStore;
import dev.lmpipe.train.TrainConfig;
import dev.lmpipe.train.TrainingState;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The training run of the cluster tests: a small LSTM (conf/train-lstm.conf, scaled down) on a Markov chain over
 * eight letters, averaged over two workers, small enough to train in seconds and to tell whether it learned.
 */
final class MarkovRun {
    static final String ALPHABET = "abcdefgh";
    private static final String MODEL = "model.embedding=16,model.hidden=64,seqLen=32,tbptt=32,batchSize=16,"
            + "averagingFrequency=2,workers=2,learningRate=0.01,report=false";

    /**
     * A small GPT with the ten-minute preset's recipe (conf/train-transformer-10min.conf: dropout, AdamW, global
     * clipping, a cosine schedule), so that its workers take lmpipe's fused Adam update; 20 rounds of two workers.
     */
    private static final String GPT = "model.embedding=32,model.layers=2,model.heads=2,model.block=32,seqLen=32,"
            + "tbptt=32,batchSize=16,averagingFrequency=2,workers=2,maxMinutes=0,maxCharacters=40960,"
            + "schedule.warmup=8192,report=false";

    private MarkovRun() {
    }

    /** {@code chars} characters of the chain (order 3, seed 4), the same text every call. */
    static String corpus(int chars) {
        return new MarkovCorpus(ALPHABET, 3).generate(chars, 4);
    }

    /** The command-line arguments of {@code lmpipe train} for this model, then {@code more}. */
    static List<String> trainArgs(String dataset, String run, int epochs, String... more) {
        var args = new ArrayList<>(List.of("-d", dataset, "-o", run));
        for (String setting : settings(epochs)) {
            args.addAll(List.of("--set", setting));
        }
        args.addAll(List.of(more));
        return args;
    }

    /** The command-line arguments of {@code lmpipe train} for the small GPT, one epoch at most, then {@code more}. */
    static List<String> gptTrainArgs(String dataset, String run, String... more) {
        var args = new ArrayList<>(List.of("-d", dataset, "-o", run, "--set", "epochs=1"));
        for (String setting : GPT.split(",")) {
            args.addAll(List.of("--set", setting));
        }
        args.addAll(List.of(more));
        return args;
    }

    private static List<String> settings(int epochs) {
        var settings = new ArrayList<>(List.of(MODEL.split(",")));
        settings.add("epochs=" + epochs);
        return settings;
    }

    /** The same training in local[2] in this JVM: same plan, same averaging of two workers. */
    static TrainingState trainLocally(String dataset, String run, int epochs) {
        var settings = new ArrayList<>(List.of("dataset=" + dataset, "output=" + run));
        settings.addAll(settings(epochs));
        try (var sc = LocalSpark.start("MarkovRun")) {
            return new TrainJob(sc, new Storage(), ConfigLoader.load(TrainConfig.class, TrainConfig.DEFAULTS,
                    SubmitScript.ROOT.resolve("conf/train-lstm.conf"), settings),
                    new PrintStream(OutputStream.nullOutputStream())).run(false, false);
        }
    }

    /** The latest checkpoint of a run, loaded as lmpipe loads it, after it generated text of the chain's letters. */
    static Checkpoint assertLatestCheckpointGenerates(String run, int epoch) {
        var storage = new Storage();
        var checkpoint = CheckpointStore.load(storage,
                CheckpointStore.resolve(storage, storage.qualify(run), CheckpointStore.LATEST));
        assertThat(checkpoint.state().epoch()).isEqualTo(epoch);
        // ln 8 nats/char is a uniform guess among the alphabet's 8 letters; the chain's entropy is about 0.9.
        assertThat(checkpoint.state().validationLoss()).isLessThan(Math.log(ALPHABET.length()));
        var generator = new Generator(checkpoint.network(), checkpoint.vocabulary(), checkpoint.spec().window());
        String text = generator.generate(generator.encodePrompt(corpus(8), UnknownCharacters.fail), 100,
                new Sampler(1.0, 5));
        assertThat(text.codePoints()).hasSize(100).allMatch(c -> ALPHABET.indexOf(c) >= 0);
        return checkpoint;
    }
}
