package dev.lmpipe.spark;

import dev.lmpipe.LmpipeException;
import dev.lmpipe.config.ConfigLoader;
import dev.lmpipe.config.Json;
import dev.lmpipe.data.EvaluationSample;
import dev.lmpipe.data.Manifest;
import dev.lmpipe.data.ShardInfo;
import dev.lmpipe.data.Shards;
import dev.lmpipe.data.Split;
import dev.lmpipe.data.TokenizeConfig;
import dev.lmpipe.eval.Evaluator;
import dev.lmpipe.eval.LossTotals;
import dev.lmpipe.storage.Storage;
import dev.lmpipe.train.CheckpointStore;
import dev.lmpipe.train.MetricsLine;
import dev.lmpipe.train.TrainConfig;
import dev.lmpipe.train.TrainingState;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.OutputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Training in bounded jobs: a character budget stops training in the middle of an epoch with a checkpoint that a
 * later job resumes exactly; evaluations within an epoch; a time limit that falls right after one; a decay that ends
 * with the time limit; bounded and full evaluation; a damaged shard caught where it is first read.
 */
class TrainBudgetIT {
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
    /** Characters of one averaging round with {@link #config}'s settings: 2 minibatches × 16 windows × 32. */
    private static final long ROUND = 2 * 16 * 32;
    private static JavaSparkContext sc;
    private static final Storage STORAGE = new Storage();

    @TempDir
    static Path work;

    @BeforeAll
    static void startSpark() {
        sc = LocalSpark.start("TrainBudgetIT");
    }

    @AfterAll
    static void stopSpark() {
        sc.stop();
    }

    /** 40,000 characters of a Markov chain: about 35 rounds of training an epoch. */
    private static String dataset(String name, String... settings) throws Exception {
        Path corpus = work.resolve(name + ".txt");
        Files.writeString(corpus, new MarkovCorpus("abcdefgh", 3).generate(40_000, 4));
        String dataset = work.resolve(name).toString();
        var all = new ArrayList<>(List.of("input=" + corpus, "output=" + dataset, "blockBytes=1024"));
        all.addAll(List.of(settings));
        TokenizeJob.run(sc, STORAGE, ConfigLoader.load(TokenizeConfig.class, TokenizeConfig.DEFAULTS, null, all), false,
                QUIET);
        return dataset;
    }

    private static TrainConfig config(String dataset, String output, String... more) {
        var settings = new ArrayList<>(List.of("dataset=" + dataset, "output=" + output, "model.embedding=8",
                "model.hidden=32", "seqLen=32", "batchSize=16", "averagingFrequency=2", "epochs=3", "tbptt=32",
                "report=false"));
        settings.addAll(List.of(more));
        return ConfigLoader.load(TrainConfig.class, TrainConfig.DEFAULTS, null, settings);
    }

    @Test
    void aCharacterBudgetStopsMidEpochAndAResumeWithALargerBoundMatchesAnUninterruptedRun() throws Exception {
        String dataset = dataset("budget");
        String interrupted = work.resolve("interrupted").toString();
        String straight = work.resolve("straight").toString();

        TrainingState first = new TrainJob(sc, STORAGE, config(dataset, interrupted, "maxCharacters=" + 8 * ROUND), QUIET)
                .run(false, false);
        assertThat(first.trainedCharacters()).isEqualTo(8 * ROUND);
        assertThat(first.epoch()).as("no epoch completed yet").isZero();
        assertThat(first.epochRound()).isEqualTo(8);
        assertThat(first.stopped()).contains("character limit");
        assertThat(first.validationLoss()).as("the stop evaluates").isFinite();
        assertThat(new CheckpointStore(STORAGE, STORAGE.qualify(interrupted)).pointer(CheckpointStore.LATEST))
                .hasValueSatisfying(p -> assertThat(p).endsWith("epoch-0001-round-00008"));

        // The same bound again: nothing left to train.
        TrainingState again = new TrainJob(sc, STORAGE, config(dataset, interrupted, "maxCharacters=" + 8 * ROUND), QUIET)
                .run(true, false);
        assertThat(again.rounds()).isEqualTo(8);

        // A larger bound goes on from round 9 of epoch 1 into epoch 2, as a run that never stopped.
        long bound = 45 * ROUND;
        TrainingState resumed = new TrainJob(sc, STORAGE, config(dataset, interrupted, "maxCharacters=" + bound), QUIET)
                .run(true, false);
        TrainingState uninterrupted = new TrainJob(sc, STORAGE, config(dataset, straight, "maxCharacters=" + bound), QUIET)
                .run(false, false);
        assertThat(resumed.trainedCharacters()).isEqualTo(bound);
        assertThat(resumed.epoch()).isGreaterThanOrEqualTo(1);
        assertThat(resumed.step()).isEqualTo(uninterrupted.step());
        assertThat(resumed.epochRound()).isEqualTo(uninterrupted.epochRound());
        // Same plan, restored parameters and Adam state: the same model as the uninterrupted run's, parameter for
        // parameter within 1e-6, and the same validation loss on the same sample.
        INDArray resumedParameters = CheckpointStore.load(STORAGE, latest(interrupted)).network().params();
        INDArray straightParameters = CheckpointStore.load(STORAGE, latest(straight)).network().params();
        assertThat(resumedParameters.equalsWithEps(straightParameters, 1e-6)).isTrue();
        assertThat(resumed.validationLoss()).isCloseTo(uninterrupted.validationLoss(), org.assertj.core.data.Offset.offset(1e-5));
        // One metrics line per evaluation: the first stop's, the epoch end's, the second stop's.
        assertThat(metrics(interrupted)).extracting(MetricsLine::rounds).containsExactly(8L, metrics(straight).get(0).rounds(),
                45L);
    }

    @Test
    void evaluationsEveryNCharactersCommitCheckpointsWithinTheEpoch() throws Exception {
        String dataset = dataset("every");
        String run = work.resolve("every-run").toString();
        var log = new java.io.ByteArrayOutputStream();
        TrainingState last = new TrainJob(sc, STORAGE, config(dataset, run, "epochs=1", "eval.everyCharacters=" + 5 * ROUND,
                "report=true"), new PrintStream(log, true, java.nio.charset.StandardCharsets.UTF_8)).run(false, false);
        var metrics = metrics(run);
        long rounds = last.rounds();
        // Rounds 5, 10, 15 within the epoch, and its end.
        var expected = new ArrayList<Long>();
        for (long r = 5; r < rounds; r += 5) {
            expected.add(r);
        }
        expected.add(rounds);
        assertThat(metrics).extracting(MetricsLine::rounds).containsExactlyElementsOf(expected);
        assertThat(metrics).extracting(MetricsLine::epoch).containsOnly(1);
        assertThat(Files.list(Path.of(run, "checkpoints")).map(p -> p.getFileName().toString()))
                .contains("epoch-0001-round-00005", "epoch-0001");
        // The report reuses training's evaluation of the best checkpoint instead of evaluating it again.
        String best = new CheckpointStore(STORAGE, STORAGE.qualify(run)).pointer(CheckpointStore.BEST).orElseThrow();
        assertThat(log.toString(java.nio.charset.StandardCharsets.UTF_8))
                .contains("evaluate: " + best + " was evaluated on this sample by training");
        var report = Json.MAPPER.readTree(Path.of(run, "report", "report.json").toFile());
        // The same number, bit for bit: the same LossTotals object's mean.
        assertThat(report.get("evaluation").get("natsPerCharacter").asDouble()).isEqualTo(last.bestValidationLoss());
    }

    @Test
    void aTimeLimitRightAfterAnEvaluationStopsThereWithoutEvaluatingTheSamePointAgain() throws Exception {
        String dataset = dataset("time");
        String run = work.resolve("time-run").toString();
        // An evaluation after every round: whenever the time limit stops training, it stops right after one.
        var log = new java.io.ByteArrayOutputStream();
        TrainingState last = new TrainJob(sc, STORAGE, config(dataset, run, "epochs=1000", "patience=100000",
                "maxMinutes=0.25", "eval.everyCharacters=" + ROUND),
                new PrintStream(log, true, java.nio.charset.StandardCharsets.UTF_8)).run(false, false);

        assertThat(log.toString(java.nio.charset.StandardCharsets.UTF_8)).contains(": time limit of 0.25 minutes");
        var rounds = metrics(run).stream().map(MetricsLine::rounds).toList();
        assertThat(rounds).as("rounds at each evaluation").doesNotHaveDuplicates().isSorted();
        assertThat(rounds.get(rounds.size() - 1)).isEqualTo(last.rounds());
    }

    @Test
    void aBudgetCountedFromAnEarlierStartLeavesThatMuchLessToTrain() throws Exception {
        String dataset = dataset("earlier");
        String run = work.resolve("earlier-run").toString();
        var log = new java.io.ByteArrayOutputStream();
        // As the train command counts from its JVM's start: 12 of the 15 seconds gone before run() begins.
        long started = System.nanoTime() - 12_000_000_000L;
        new TrainJob(sc, STORAGE, config(dataset, run, "epochs=1000", "patience=100000", "maxMinutes=0.25"),
                new PrintStream(log, true, java.nio.charset.StandardCharsets.UTF_8)).budgetFrom(started)
                .run(false, false);
        long seconds = (System.nanoTime() - started) / 1_000_000_000L;

        assertThat(log.toString(java.nio.charset.StandardCharsets.UTF_8)).contains(": time limit of 0.25 minutes");
        var rounds = Json.readLines(Files.readAllBytes(Path.of(run, "rounds.jsonl")), dev.lmpipe.train.RoundLine.class,
                "rounds.jsonl");
        // Round lines count from the same start; a clock that began at run() would put the first near 0.
        assertThat(rounds.get(0).seconds()).isGreaterThan(12);
        // Counted from run() it would have trained 15 more seconds: 27 or more in all.
        assertThat(seconds).as("the whole job, from the earlier start").isLessThan(25);
    }

    @Test
    void aDecayThatEndsWithTheTimeBudgetReachesItsFloorAsTheTimeRunsOut() throws Exception {
        String dataset = dataset("decay");
        String run = work.resolve("decay-run").toString();
        var log = new java.io.ByteArrayOutputStream();
        double peak = 0.01;
        new TrainJob(sc, STORAGE, config(dataset, run, "epochs=1000", "patience=100000", "maxMinutes=0.2",
                "schedule.kind=cosine", "schedule.floor=0.1", "learningRate=" + peak),
                new PrintStream(log, true, java.nio.charset.StandardCharsets.UTF_8)).run(false, false);

        assertThat(log.toString(java.nio.charset.StandardCharsets.UTF_8))
                .contains("cosine decay to 0.001 where maxMinutes ends training")
                .contains(": time limit of 0.2 minutes");
        var rates = Json.readLines(Files.readAllBytes(Path.of(run, "rounds.jsonl")), dev.lmpipe.train.RoundLine.class,
                "rounds.jsonl").stream().map(dev.lmpipe.train.RoundLine::learningRate).toList();
        assertThat(rates.size()).as("rounds in 12 s").isGreaterThan(10);
        // No warmup and no speed measured yet: the first round at the peak; the last near the floor, where the
        // decay ends at the estimated end of training.
        assertThat(rates.get(0)).isEqualTo(peak);
        assertThat(rates.get(rates.size() / 2)).isStrictlyBetween(0.1 * peak, peak);
        assertThat(rates.get(rates.size() - 1)).isBetween(0.1 * peak - 1e-12, 0.3 * peak);
    }

    @Test
    void aBoundedEvaluationReadsTheSameSampleEveryTimeAndZeroReadsEveryCharacter() throws Exception {
        // A validation split of about 12,000 characters: six slices of 256 windows of 8.
        String dataset = dataset("evaluation", "validationFraction=0.3");
        String run = work.resolve("evaluation-run").toString();
        new TrainJob(sc, STORAGE, config(dataset, run, "epochs=1"), QUIET).run(false, false);
        var network = CheckpointStore.load(STORAGE, latest(run)).network();
        String qualified = STORAGE.qualify(dataset);
        List<ShardInfo> shards = Manifest.read(STORAGE, qualified).shards(Split.validation);
        int vocabulary = Manifest.read(STORAGE, qualified).vocabulary().size();

        // Every character: the same as evaluating each shard in one piece, in one JVM.
        int seqLen = 8;
        LossTotals all = LossJob.loss(sc, STORAGE, qualified, shards, network, vocabulary, seqLen, 64, 0);
        var expected = new LossTotals(vocabulary);
        for (ShardInfo shard : shards) {
            Evaluator.addLoss(network, Shards.read(STORAGE, qualified, shard), seqLen, 64, expected);
        }
        assertThat(all.characters()).isEqualTo(expected.characters());
        assertThat(all.totalNats()).isCloseTo(expected.totalNats(), org.assertj.core.data.Offset.offset(1e-6 * expected.totalNats()));

        // A bound of a quarter of the split: about that many characters, the same ones twice.
        long bound = all.characters() / 4;
        LossTotals sample = LossJob.loss(sc, STORAGE, qualified, shards, network, vocabulary, seqLen, 64, bound);
        LossTotals again = LossJob.loss(sc, STORAGE, qualified, shards, network, vocabulary, seqLen, 64, bound);
        long slice = (long) seqLen * LossJob.WINDOWS_PER_SLICE;
        assertThat(sample.characters()).isBetween(bound - slice, bound + slice).isLessThan(all.characters());
        assertThat(sample.characters()).isEqualTo(again.characters());
        assertThat(sample.totalNats()).isEqualTo(again.totalNats());
        assertThat(EvaluationSample.of(shards, slice).slices(bound)).hasSize((int) ((bound + slice - 1) / slice));
    }

    @Test
    void aDamagedShardIsCaughtWhereItIsFirstReadBeforeAnyOfItIsTrained() throws Exception {
        String dataset = dataset("damaged");
        String run = work.resolve("damaged-run").toString();
        ShardInfo shard = Manifest.read(STORAGE, STORAGE.qualify(dataset)).shards(Split.train).get(0);
        Path file = Path.of(dataset, shard.file());
        // One byte changed in the middle: the size is right, so only the checksum can tell.
        try (var raf = new RandomAccessFile(file.toFile(), "rw")) {
            long middle = raf.length() / 2;
            raf.seek(middle);
            int b = raf.read();
            raf.seek(middle);
            raf.write(b ^ 0x01);
        }
        assertThatThrownBy(() -> new TrainJob(sc, STORAGE, config(dataset, run), QUIET).run(false, false))
                .satisfies(e -> assertThat(userError(e)).isNotNull()
                        .hasMessageContaining(shard.file()).hasMessageContaining("checksum"));
        assertThat(Path.of(run, "checkpoints")).satisfiesAnyOf(p -> assertThat(p).doesNotExist(),
                p -> assertThat(Files.list(p)).isEmpty());

        // A truncated shard is caught at the start, by its size.
        Files.write(file, java.util.Arrays.copyOf(Files.readAllBytes(file), (int) shard.bytes() - 10));
        assertThatThrownBy(() -> new TrainJob(sc, STORAGE, config(dataset, run), QUIET).run(false, true))
                .isInstanceOf(LmpipeException.class).hasMessageContaining(shard.file()).hasMessageContaining("bytes");
    }

    /** The user error behind an exception, also when Spark wrapped it in a task failure (as the CLI finds it). */
    private static Throwable userError(Throwable exception) {
        for (Throwable t = exception; t != null; t = t.getCause()) {
            if (t instanceof LmpipeException) {
                return t;
            }
        }
        return null;
    }

    private static String latest(String run) {
        return new CheckpointStore(STORAGE, STORAGE.qualify(run)).pointer(CheckpointStore.LATEST).orElseThrow();
    }

    private static List<MetricsLine> metrics(String run) throws Exception {
        var lines = new ArrayList<MetricsLine>();
        for (String line : Files.readAllLines(Path.of(run, "metrics.jsonl"))) {
            lines.add(Json.MAPPER.readValue(line, MetricsLine.class));
        }
        return lines;
    }
}
