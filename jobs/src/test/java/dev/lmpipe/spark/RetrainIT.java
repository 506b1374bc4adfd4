package dev.lmpipe.spark;

import dev.lmpipe.config.ConfigLoader;
import dev.lmpipe.retrain.Decision;
import dev.lmpipe.retrain.ModelHome;
import dev.lmpipe.retrain.RetrainConfig;
import dev.lmpipe.storage.Storage;
import dev.lmpipe.train.CheckpointStore;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three nights of retraining on fresh text from the same source: the first model becomes the champion; a
 * challenger ruined by a far too large step size is worse and is not promoted; a challenger that trains longer
 * from the champion is better by more than the margin and is promoted. Every night leaves a decision record.
 * The same better challenger against a larger margin stays a challenger. A retraining killed with
 * {@code kill -9} after recording its promotion but before moving {@code champion} keeps the old champion
 * serving, and the next night completes the promotion before it starts.
 */
class RetrainIT {
    private static JavaSparkContext sc;
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
    private static final MarkovCorpus SOURCE = new MarkovCorpus("abcdefgh", 3);

    @TempDir
    static Path work;

    private final Storage storage = new Storage();

    @BeforeAll
    static void startSpark() {
        sc = LocalSpark.start("RetrainIT");
    }

    @AfterAll
    static void stopSpark() {
        sc.stop();
    }

    private static RetrainConfig config(String home, Path input, String... train) {
        return config(home, input, 0.01, train);
    }

    private static RetrainConfig config(String home, Path input, double margin, String... train) {
        var settings = new ArrayList<>(List.of("home=" + home, "input=" + input));
        settings.addAll(settings(margin, train));
        return ConfigLoader.load(RetrainConfig.class, RetrainConfig.DEFAULTS, null, settings).requireComplete();
    }

    /** A small model, trained briefly; {@code train}: more train.* settings. */
    private static List<String> settings(double margin, String... train) {
        var settings = new ArrayList<>(List.of("margin=" + margin,
                "tokenize.blockBytes=1024", "tokenize.validationFraction=0.1", "tokenize.testFraction=0.1",
                "train.model.embedding=8", "train.model.hidden=32", "train.seqLen=32", "train.tbptt=32",
                "train.batchSize=16", "train.averagingFrequency=2", "train.report=false"));
        for (String setting : train) {
            settings.add("train." + setting);
        }
        return settings;
    }

    /** A home's first model, which becomes its champion: one epoch on the first night. */
    private Decision firstModel(String home) throws Exception {
        return RetrainJob.run(sc, storage, config(home, night(1), "epochs=1", "learningRate=0.01"), QUIET);
    }

    private static Path night(int n) throws Exception {
        Path file = work.resolve("night-" + n + ".txt");
        Files.writeString(file, SOURCE.generate(30_000, 100 + n));
        return file;
    }

    @Test
    void promotesTheFirstModelThenOnlyABetterChallenger() throws Exception {
        String home = work.resolve("home").toString();
        var models = new ModelHome(storage, home);

        Decision first = firstModel(home);
        assertThat(first.promoted()).isTrue();
        assertThat(first.champion()).isNull();
        assertThat(first.reason()).contains("first model");
        assertThat(models.champion()).contains(first.challenger());

        Decision ruined = RetrainJob.run(sc, storage, config(home, night(2), "epochs=1", "learningRate=2.0"), QUIET);
        assertThat(ruined.champion()).isEqualTo(first.challenger());
        assertThat(ruined.promoted()).as(ruined.reason()).isFalse();
        assertThat(ruined.reason()).contains("worse");
        assertThat(ruined.challengerBitsPerCharacter()).isGreaterThan(ruined.championBitsPerCharacter());
        assertThat(models.champion()).as("a worse challenger leaves the champion alone").contains(first.challenger());

        Decision better = RetrainJob.run(sc, storage, config(home, night(3), "epochs=3", "learningRate=0.01"), QUIET);
        assertThat(better.champion()).isEqualTo(first.challenger());
        assertThat(better.promoted()).as(better.reason()).isTrue();
        assertThat(better.championBitsPerCharacter() - better.challengerBitsPerCharacter()).isGreaterThan(0.01);
        assertThat(models.champion()).contains(better.challenger());
        // Both were scored on the same held-out text: the new night's test split.
        assertThat(better.split()).isEqualTo("test");
        assertThat(better.evaluatedCharacters()).isPositive();

        for (Decision d : models.decisions()) {
            System.out.printf("RetrainIT: champion %s, challenger %.4f bits/char: %s: %s%n",
                    d.championBitsPerCharacter() == null ? "none" : String.format("%.4f", d.championBitsPerCharacter()),
                    d.challengerBitsPerCharacter(), d.promoted() ? "promoted" : "not promoted", d.reason());
        }
        assertThat(models.decisions()).extracting(Decision::promoted).containsExactly(true, false, true);
        assertThat(models.decisions()).extracting(Decision::reason)
                .containsExactly(first.reason(), ruined.reason(), better.reason());
        assertThat(Path.of(java.net.URI.create(Storage.child(better.run(), "decision.md"))))
                .content().contains("Promoted").contains(better.challenger());
        // evaluate and generate take the home and use its champion.
        assertThat(CheckpointStore.resolve(storage, storage.qualify(home), CheckpointStore.BEST))
                .isEqualTo(better.challenger());
    }

    @Test
    void aChallengerBetterByLessThanTheMarginIsNotPromoted() throws Exception {
        String home = work.resolve("home-margin").toString();
        var models = new ModelHome(storage, home);
        Decision first = firstModel(home);

        // The challenger that promotesTheFirstModelThenOnlyABetterChallenger promotes with a margin of 0.01: better
        // by about 0.06 bits/char, which a margin of 0.1 does not let through.
        Decision close = RetrainJob.run(sc, storage, config(home, night(3), 0.1, "epochs=3", "learningRate=0.01"), QUIET);

        double gain = close.championBitsPerCharacter() - close.challengerBitsPerCharacter();
        assertThat(gain).as("the challenger is better").isPositive().isLessThan(close.margin());
        assertThat(close.promoted()).isFalse();
        assertThat(close.reason()).isEqualTo(String.format("challenger is better by only %.4f bits/char (%.4f vs %.4f),"
                + " not more than the margin 0.1000", gain, close.challengerBitsPerCharacter(),
                close.championBitsPerCharacter()));
        System.out.println("RetrainIT: within the margin: " + close.reason());
        assertThat(models.champion()).as("the champion stays").contains(first.challenger());
        assertThat(models.decisions()).last().isEqualTo(close);
        assertThat(Path.of(java.net.URI.create(Storage.child(close.run(), "decision.md")))).content()
                .contains("**Not promoted**: " + close.reason())
                .contains(String.format("| champion | %s | %.4f |", first.challenger(), close.championBitsPerCharacter()))
                .contains("Margin: 0.1000 bits/char");
    }

    @Test
    void aRetrainingKilledBetweenItsRecordAndTheChampionMoveIsCompletedByTheNextOne() throws Exception {
        String home = work.resolve("home-crash").toString();
        var models = new ModelHome(storage, home);
        Decision first = firstModel(home);

        // lmpipe retrain in its own JVM, stopped on entering ModelHome.promote (the record is written, champion
        // not yet moved) and killed there.
        var trap = MethodEntryTrap.start(retrain(home, night(3), "epochs=3", "learningRate=0.01"),
                ModelHome.class.getName(), "promote");
        boolean stopped = trap.awaitEntry(Duration.ofMinutes(4));
        assertThat(stopped).as("exit %s%n%s", trap.process().isAlive() ? "none" : trap.process().exitValue(),
                Files.readString(work.resolve("killed.log"))).isTrue();
        trap.kill();
        assertThat(trap.process().exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);

        Decision promoted = models.decisions().get(1);
        assertThat(promoted.promoted()).as(promoted.reason()).isTrue();
        assertThat(promoted.champion()).isEqualTo(first.challenger());
        assertThat(models.champion()).as("the committed champion is not lost").contains(first.challenger());
        CheckpointStore.load(storage, first.challenger());

        var log = new ByteArrayOutputStream();
        Decision next = RetrainJob.run(sc, storage, config(home, night(4), "epochs=1", "learningRate=0.01"),
                new PrintStream(log, true, StandardCharsets.UTF_8));

        String recovery = log.toString(StandardCharsets.UTF_8).lines().findFirst().orElseThrow();
        System.out.println("RetrainIT: after the kill: " + recovery);
        assertThat(recovery).isEqualTo("retrain: promotion completed: run " + promoted.run() + " recorded the promotion"
                + " of " + promoted.challenger() + " but stopped before moving champion; champion now names it");
        assertThat(next.champion()).as("the next night's challenger met the promoted champion")
                .isEqualTo(promoted.challenger());
        assertThat(models.decisions()).hasSize(3);
        assertThat(models.champion()).as("the record and champion agree")
                .isEqualTo(java.util.Optional.ofNullable(next.championAfter()));
    }

    /** {@code lmpipe retrain} in its own JVM, from the jar the build made, as a user runs it; its output in killed.log. */
    private static ProcessBuilder retrain(String home, Path input, String... train) {
        var command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "@" + Path.of("..", "conf", "jvm-options").toAbsolutePath(),
                "-Dlog4j2.configurationFile=" + Path.of("..", "conf", "log4j2.properties").toAbsolutePath(),
                "-jar", Path.of("target", "lmpipe.jar").toAbsolutePath().toString(),
                "retrain", "--master", "local[2]", "--home", home, input.toString()));
        for (String setting : settings(0.01, train)) {
            command.add("--set");
            command.add(setting);
        }
        var builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(work.resolve("killed.log").toFile());
        builder.environment().put("OMP_NUM_THREADS", "1");
        builder.environment().put("OPENBLAS_NUM_THREADS", "1");
        builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        return builder;
    }
}
