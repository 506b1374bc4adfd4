package dev.lmpipe.spark;

import dev.lmpipe.config.ConfigLoader;
import dev.lmpipe.data.TokenizeConfig;
import dev.lmpipe.eval.EvaluateConfig;
import dev.lmpipe.generate.BeamSearch;
import dev.lmpipe.generate.Generator;
import dev.lmpipe.generate.Sampler;
import dev.lmpipe.generate.UnknownCharacters;
import dev.lmpipe.model.kernel.Kernels;
import dev.lmpipe.storage.Storage;
import dev.lmpipe.train.CheckpointStore;
import dev.lmpipe.train.TrainConfig;
import dev.lmpipe.train.TrainingState;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The code a GPU executor runs, run on the CPU: with {@code lmpipe.kernels = dl4j} every layer takes its DL4J or
 * SameDiff path, and the pipeline (train, evaluate, generate with sampling and beam search) of each model kind
 * must agree with lmpipe's kernels on the same data, seeds and settings. The two paths compute the same function
 * in another order (the layer tests hold them within float tolerance step by step), so two trainings drift apart
 * by rounding only, and one checkpoint evaluates and searches alike on both.
 */
class Dl4jKernelsIT {
    private static final String ALPHABET = "abcdefghijklmnop";
    private static final MarkovCorpus CHAIN = new MarkovCorpus(ALPHABET, 11);
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
    private static JavaSparkContext sc;
    private static String dataset;

    @TempDir
    static Path work;

    @BeforeAll
    static void tokenize() throws Exception {
        sc = LocalSpark.start("Dl4jKernelsIT");
        Path corpus = work.resolve("markov.txt");
        Files.writeString(corpus, CHAIN.generate(50_000, 21));
        dataset = work.resolve("dataset").toString();
        TokenizeJob.run(sc, new Storage(), ConfigLoader.load(TokenizeConfig.class, TokenizeConfig.DEFAULTS, null, List.of(
                "input=" + corpus, "output=" + dataset, "blockBytes=1024", "validationFraction=0.15")), false, QUIET);
    }

    @AfterAll
    static void stopSpark() {
        sc.stop();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "lstm        | model.embedding=16 model.hidden=48",
            "transformer | model.embedding=32 model.layers=1 model.heads=4 model.block=32",
            "mlp         | model.embedding=16 model.context=2 model.hidden=48 model.block=32"})
    void trainsEvaluatesAndGeneratesAsTheFastPathDoes(String kind, String modelSettings) {
        var settings = new ArrayList<>(List.of("dataset=" + dataset, "report=false", "model.kind=" + kind, "seqLen=32",
                "tbptt=32", "batchSize=16", "averagingFrequency=4", "epochs=1", "learningRate=0.01"));
        settings.addAll(List.of(modelSettings.split(" ")));
        String fastRun = work.resolve(kind + "-fast").toString();
        String dl4jRun = work.resolve(kind + "-dl4j").toString();
        long start = System.nanoTime();
        TrainingState fast = with(Kernels.fast, () -> train(fastRun, settings));
        long middle = System.nanoTime();
        TrainingState dl4j = with(Kernels.dl4j, () -> train(dl4jRun, settings));
        System.out.printf("Dl4jKernelsIT (%s): validation %.6f nats/char with lmpipe's kernels (%.1f s), %.6f with DL4J's"
                        + " layers (%.1f s), difference %.1e; entropy rate %.4f%n", kind, fast.validationLoss(),
                (middle - start) / 1e9, dl4j.validationLoss(), (System.nanoTime() - middle) / 1e9,
                dl4j.validationLoss() - fast.validationLoss(), CHAIN.entropyRate());

        // Both learn the chain: well under the unigram entropy.
        assertThat(dl4j.validationLoss()).isLessThan(CHAIN.unigramEntropy() - 1.0);
        // An epoch of float rounding in another order, carried on by training: within 1e-4 nats (2e-9 to 2e-8
        // measured when this test was written; a larger drift would be a difference in arithmetic, not in rounding).
        // Not equal bit for bit: then one path would not have run.
        assertThat(dl4j.validationLoss()).isCloseTo(fast.validationLoss(), within(1e-4)).isNotEqualTo(fast.validationLoss());

        // One checkpoint, both paths: the same function, so the same loss but for float rounding.
        double fastLoss = with(Kernels.fast, () -> evaluate(dl4jRun, kind + "-report-fast"));
        double dl4jLoss = with(Kernels.dl4j, () -> evaluate(dl4jRun, kind + "-report-dl4j"));
        assertThat(dl4jLoss).isCloseTo(fastLoss, within(1e-5));

        // Beam search reads the same distributions: the same texts, their log-probabilities within float rounding.
        var fastBeams = with(Kernels.fast, () -> beams(dl4jRun));
        var dl4jBeams = with(Kernels.dl4j, () -> beams(dl4jRun));
        assertThat(dl4jBeams).hasSize(3);
        for (int i = 0; i < dl4jBeams.size(); i++) {
            assertThat(dl4jBeams.get(i).text()).isEqualTo(fastBeams.get(i).text());
            assertThat(dl4jBeams.get(i).logProbability()).isCloseTo(fastBeams.get(i).logProbability(), within(1e-3));
        }
        // Sampling on DL4J's path from DL4J's training: the chain's transitions.
        String sampled = with(Kernels.dl4j, () -> generator(dl4jRun).generate(prompt(dl4jRun), 300, new Sampler(1.0, 5)));
        assertThat(sampled.codePoints()).hasSize(300).allMatch(c -> ALPHABET.indexOf(c) >= 0);
        assertThat(CHAIN.impossibleTransitions(sampled)).isLessThan(15);
    }

    private static TrainingState train(String run, List<String> settings) {
        var all = new ArrayList<>(settings);
        all.add("output=" + run);
        return new TrainJob(sc, new Storage(), ConfigLoader.load(TrainConfig.class, TrainConfig.DEFAULTS, null, all), QUIET)
                .run(false, false);
    }

    private static double evaluate(String run, String report) {
        return EvaluateJob.run(sc, new Storage(), ConfigLoader.load(EvaluateConfig.class, EvaluateConfig.DEFAULTS, null,
                List.of("checkpoint=" + run, "dataset=" + dataset, "split=validation", "sampleLength=0",
                        "output=" + work.resolve(report))),
                false, QUIET).evaluation().natsPerCharacter();
    }

    private static Generator generator(String run) {
        var storage = new Storage();
        var checkpoint = CheckpointStore.load(storage, CheckpointStore.resolve(storage, run, CheckpointStore.BEST));
        return new Generator(checkpoint.network(), checkpoint.vocabulary(), checkpoint.spec().window());
    }

    private static int[] prompt(String run) {
        return generator(run).encodePrompt(CHAIN.generate(40, 3), UnknownCharacters.fail);
    }

    private static List<Generator.Generation> beams(String run) {
        return generator(run).beam(prompt(run), 40, new BeamSearch(4, 0), 3, "");
    }

    /** Runs {@code action} with {@code kernels} chosen in this JVM: the driver and local mode's executors. */
    private static <T> T with(Kernels kernels, Supplier<T> action) {
        System.setProperty(Kernels.PROPERTY, kernels.name());
        try {
            return action.get();
        } finally {
            System.clearProperty(Kernels.PROPERTY);
        }
    }
}
