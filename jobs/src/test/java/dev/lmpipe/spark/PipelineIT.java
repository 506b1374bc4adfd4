package dev.lmpipe.spark;

import dev.lmpipe.config.ConfigLoader;
import dev.lmpipe.data.Manifest;
import dev.lmpipe.data.Split;
import dev.lmpipe.data.TokenizeConfig;
import dev.lmpipe.eval.EvaluateConfig;
import dev.lmpipe.generate.Generator;
import dev.lmpipe.generate.Sampler;
import dev.lmpipe.generate.UnknownCharacters;
import dev.lmpipe.storage.Storage;
import dev.lmpipe.train.CheckpointStore;
import dev.lmpipe.train.TrainConfig;
import dev.lmpipe.train.TrainingState;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * tokenize → train → evaluate → generate in Spark local[2] on a Markov-chain corpus whose entropy is known:
 * the model must end well under the unigram entropy and near the true entropy rate.
 */
class PipelineIT {
    private static final String ALPHABET = "abcdefghijklmnop";
    private static JavaSparkContext sc;

    @TempDir
    static Path work;

    @BeforeAll
    static void startSpark() {
        sc = LocalSpark.start("PipelineIT");
    }

    @AfterAll
    static void stopSpark() {
        sc.stop();
    }

    @Test
    void lstmLearnsMarkovChainDownToItsEntropy() throws Exception {
        var chain = new MarkovCorpus(ALPHABET, 11);
        Path corpus = work.resolve("markov.txt");
        Files.writeString(corpus, chain.generate(150_000, 12));
        var storage = new Storage();
        var log = new ByteArrayOutputStream();
        var out = new PrintStream(log, true, StandardCharsets.UTF_8);

        String dataset = work.resolve("dataset").toString();
        var tokenize = ConfigLoader.load(TokenizeConfig.class, TokenizeConfig.DEFAULTS, null, List.of(
                "input=" + corpus, "output=" + dataset, "blockChars=2048", "validationFraction=0.1"));
        Manifest manifest = TokenizeJob.run(sc, storage, tokenize, false, out);
        assertThat(manifest.vocabulary().size()).isEqualTo(ALPHABET.length() + 1);
        assertThat(manifest.splitTokens().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(150_000);
        assertThat(Files.exists(Path.of(dataset, "_SUCCESS"))).isTrue();

        String run = work.resolve("run").toString();
        var train = ConfigLoader.load(TrainConfig.class, TrainConfig.DEFAULTS, null, List.of(
                "dataset=" + dataset, "output=" + run, "model.embedding=16", "model.hidden=64", "seqLen=32",
                "batchSize=32", "averagingFrequency=4", "epochs=4", "learningRate=0.01", "tbptt=32"));
        TrainingState last = new TrainJob(sc, storage, train, out).run(false, false);

        // Tolerances: the validation split has ~15,000 characters; the per-character loss of a perfect model
        // has a standard deviation of about 0.6 nats, so its mean is within ±0.02 of the entropy rate (3 sd).
        // A trained model may not quite reach it in 4 short epochs: allow 0.15 nats above it. It can never
        // be much below it, since no model beats the true distribution beyond sampling noise.
        double entropy = chain.entropyRate();
        System.out.printf("PipelineIT: validation %.4f nats/char after %d epochs; entropy rate %.4f, unigram %.4f%n",
                last.validationLoss(), last.epoch(), entropy, chain.unigramEntropy());
        assertThat(last.validationLoss()).isLessThan(chain.unigramEntropy() - 1.0);
        assertThat(last.validationLoss()).isBetween(entropy - 0.05, entropy + 0.15);
        assertThat(Files.readAllLines(Path.of(run, "metrics.jsonl"))).hasSize(last.epoch());
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("round 1/", "chars/s", "validation");

        var evaluate = ConfigLoader.load(EvaluateConfig.class, EvaluateConfig.DEFAULTS, null, List.of(
                "checkpoint=" + run, "dataset=" + dataset, "split=test"));
        var report = EvaluateJob.run(sc, storage, evaluate, false, out).evaluation();
        assertThat(report.natsPerCharacter()).isBetween(entropy - 0.05, entropy + 0.15);
        assertThat(report.bitsPerCharacter()).isCloseTo(report.natsPerCharacter() / Math.log(2), org.assertj.core.data.Offset.offset(1e-9));
        assertThat(report.characters()).isEqualTo(manifest.splitTokens().get(Split.test) - manifest.shards(Split.test).size());
        assertThat(Path.of(run, "report", "report.md")).content().contains("bits per character", "Hardest characters");
        assertThat(Path.of(run, "report", "report.json")).exists();
        assertThat(Path.of(run, "report", "report.html")).content().contains("loss.png", "Samples");
        assertThat(Path.of(run, "report", "loss.png")).exists();
        assertThat(Files.readAllLines(Path.of(run, "rounds.jsonl"))).hasSize((int) last.rounds());

        var checkpoint = CheckpointStore.load(storage, CheckpointStore.resolve(storage, run, CheckpointStore.BEST));
        var generator = new Generator(checkpoint.network(), checkpoint.vocabulary());
        String text = generator.generate(generator.encodePrompt("abc", UnknownCharacters.fail), 400, new Sampler(1.0, 5));
        assertThat(text.codePoints()).hasSize(400).allMatch(c -> ALPHABET.indexOf(c) >= 0);
        // A model that learned the chain rarely produces transitions the chain never makes.
        assertThat(impossibleTransitions(chain, "c" + text)).isLessThan(20);
    }

    private static int impossibleTransitions(MarkovCorpus chain, String text) {
        var seen = chain.generate(200_000, 99);
        var allowed = new java.util.HashSet<String>();
        for (int i = 0; i + 1 < seen.length(); i++) {
            allowed.add(seen.substring(i, i + 2));
        }
        int impossible = 0;
        for (int i = 0; i + 1 < text.length(); i++) {
            if (!allowed.contains(text.substring(i, i + 2))) {
                impossible++;
            }
        }
        return impossible;
    }
}
