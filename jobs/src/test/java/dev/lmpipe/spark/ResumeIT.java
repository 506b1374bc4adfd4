package dev.lmpipe.spark;

import dev.lmpipe.LmpipeException;
import dev.lmpipe.config.ConfigLoader;
import dev.lmpipe.config.Json;
import dev.lmpipe.data.TokenizeConfig;
import dev.lmpipe.storage.Storage;
import dev.lmpipe.model.FastAdam;
import dev.lmpipe.model.LearningRateSchedule;
import dev.lmpipe.train.CheckpointStore;
import dev.lmpipe.train.MetricsLine;
import dev.lmpipe.train.TrainConfig;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Stop after epoch 1, resume, finish: the resumed run continues the same training, not a new one, outer optimizer
 * included.
 */
class ResumeIT {
    private static JavaSparkContext sc;
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    @TempDir
    static Path work;

    @BeforeAll
    static void startSpark() {
        sc = LocalSpark.start("ResumeIT");
    }

    @AfterAll
    static void stopSpark() {
        sc.stop();
    }

    @Test
    void resumeContinuesFromLatestCheckpointAndMatchesAnUninterruptedRun() throws Exception {
        var storage = new Storage();
        String dataset = tokenize(storage, "corpus.txt", "dataset", new MarkovCorpus("abcdefgh", 3).generate(40_000, 4));

        String interrupted = work.resolve("interrupted").toString();
        String straight = work.resolve("straight").toString();
        new TrainJob(sc, storage, config(dataset, interrupted, 1), QUIET).run(false, false);
        assertThat(new CheckpointStore(storage, storage.qualify(interrupted)).pointer(CheckpointStore.LATEST))
                .hasValueSatisfying(p -> assertThat(p).endsWith("epoch-0001"));

        assertThatThrownBy(() -> new TrainJob(sc, storage, config(dataset, interrupted, 2), QUIET).run(false, false))
                .isInstanceOf(LmpipeException.class).hasMessageContaining("--resume");

        var resumed = new TrainJob(sc, storage, config(dataset, interrupted, 2), QUIET).run(true, false);
        var uninterrupted = new TrainJob(sc, storage, config(dataset, straight, 2), QUIET).run(false, false);

        assertThat(resumed.epoch()).isEqualTo(2);
        assertThat(resumed.step()).isEqualTo(uninterrupted.step());
        // Same seed, same plan, restored parameters and Adam state: the same validation loss as a run that
        // never stopped, up to float reductions in a different order (1e-4 nats).
        assertThat(resumed.validationLoss()).isCloseTo(uninterrupted.validationLoss(), org.assertj.core.data.Offset.offset(1e-4));
        List<MetricsLine> metrics = readMetrics(Path.of(interrupted, "metrics.jsonl"));
        assertThat(metrics).extracting(MetricsLine::epoch).containsExactly(1, 2);
    }

    @Test
    void resumeRestoresTheOuterOptimizersMomentumAndTheSchedulesPlace() throws Exception {
        var storage = new Storage();
        String dataset = tokenize(storage, "outer-corpus.txt", "outer-dataset", new MarkovCorpus("abcdefgh", 3).generate(20_000, 5));
        // The whole recipe: a cosine schedule over 40 steps of both workers (about 34 in the two epochs), global
        // clipping and weight decay.
        List<String> outer = List.of("workers=2", "averaging.outer=nesterov", "report=false", "schedule.kind=cosine",
                "schedule.unit=steps", "schedule.warmup=3", "schedule.length=40", "gradientClipScope=global",
                "weightDecay=0.1");

        String interrupted = work.resolve("outer-interrupted").toString();
        String straight = work.resolve("outer-straight").toString();
        new TrainJob(sc, storage, config(dataset, interrupted, 1, outer), QUIET).run(false, false);
        new TrainJob(sc, storage, config(dataset, interrupted, 2, outer), QUIET).run(true, false);
        new TrainJob(sc, storage, config(dataset, straight, 2, outer), QUIET).run(false, false);

        var resumed = CheckpointStore.load(storage, latest(storage, interrupted));
        var uninterrupted = CheckpointStore.load(storage, latest(storage, straight));
        assertThat(resumed.state().rounds()).isEqualTo(uninterrupted.state().rounds()).isGreaterThan(2);
        assertThat(uninterrupted.outerMomentum()).isNotNull().hasSize((int) uninterrupted.network().numParams());
        // Two workers' mean is the same float whichever finishes first, and each worker's minibatches, threads
        // and seeds are the same: the resumed run is the uninterrupted one bit for bit, momentum included. A
        // momentum lost on resume would restart at zero and leave the parameters apart by about the last
        // epoch's outer steps; a schedule that restarted with the job would warm up again.
        assertThat(resumed.outerMomentum()).containsExactly(uninterrupted.outerMomentum());
        assertThat(resumed.network().params().toFloatVector())
                .containsExactly(uninterrupted.network().params().toFloatVector());
        var network = resumed.network();
        var adam = (FastAdam) network.getLayerWiseConfigurations().getConf(1).getLayer().getUpdaterByParam("W");
        assertThat(adam.getLearningRateSchedule()).isInstanceOf(LearningRateSchedule.class);
        assertThat(adam.getLearningRate(network.getIterationCount(), 0)).as("decayed by the end")
                .isLessThan(0.5 * adam.getLearningRate());
    }

    /**
     * Writes {@code text} to the work folder's {@code file} and tokenizes it into its dataset {@code name}; returns the
     * dataset's path. (Documents fall into splits by their file's name and place: a name picks the split.)
     */
    private static String tokenize(Storage storage, String file, String name, String text) throws Exception {
        Path corpus = work.resolve(file);
        Files.writeString(corpus, text);
        String dataset = work.resolve(name).toString();
        TokenizeJob.run(sc, storage, ConfigLoader.load(TokenizeConfig.class, TokenizeConfig.DEFAULTS, null,
                List.of("input=" + corpus, "output=" + dataset, "blockBytes=1024")), false, QUIET);
        return dataset;
    }

    private static String latest(Storage storage, String run) {
        return new CheckpointStore(storage, storage.qualify(run)).pointer(CheckpointStore.LATEST).orElseThrow();
    }

    private static TrainConfig config(String dataset, String output, int epochs) {
        return config(dataset, output, epochs, List.of());
    }

    private static TrainConfig config(String dataset, String output, int epochs, List<String> more) {
        var settings = new ArrayList<>(List.of(
                "dataset=" + dataset, "output=" + output, "model.embedding=8", "model.hidden=32", "seqLen=32",
                "batchSize=16", "averagingFrequency=2", "epochs=" + epochs, "tbptt=32"));
        settings.addAll(more);
        return ConfigLoader.load(TrainConfig.class, TrainConfig.DEFAULTS, null, settings);
    }

    private static List<MetricsLine> readMetrics(Path file) throws Exception {
        var lines = new ArrayList<MetricsLine>();
        for (String line : Files.readAllLines(file)) {
            lines.add(Json.MAPPER.readValue(line, MetricsLine.class));
        }
        return lines;
    }
}
