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

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three nights of retraining on fresh text from the same source: the first model becomes the champion; a
 * challenger ruined by a far too large step size is worse and is not promoted; a challenger that trains longer
 * from the champion is better by more than the margin and is promoted. Every night leaves a decision record.
 */
class RetrainIT {
    private static JavaSparkContext sc;
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
    private static final MarkovCorpus SOURCE = new MarkovCorpus("abcdefgh", 3);

    @TempDir
    static Path work;

    @BeforeAll
    static void startSpark() {
        sc = LocalSpark.start("RetrainIT");
    }

    @AfterAll
    static void stopSpark() {
        sc.stop();
    }

    private static RetrainConfig config(String home, Path input, String... train) {
        var settings = new ArrayList<>(List.of("home=" + home, "input=" + input, "margin=0.01",
                "tokenize.blockBytes=1024", "tokenize.validationFraction=0.1", "tokenize.testFraction=0.1",
                "train.model.embedding=8", "train.model.hidden=32", "train.seqLen=32", "train.tbptt=32",
                "train.batchSize=16", "train.averagingFrequency=2", "train.report=false"));
        for (String setting : train) {
            settings.add("train." + setting);
        }
        return ConfigLoader.load(RetrainConfig.class, RetrainConfig.DEFAULTS, null, settings).requireComplete();
    }

    private static Path night(int n) throws Exception {
        Path file = work.resolve("night-" + n + ".txt");
        Files.writeString(file, SOURCE.generate(30_000, 100 + n));
        return file;
    }

    @Test
    void promotesTheFirstModelThenOnlyABetterChallenger() throws Exception {
        var storage = new Storage();
        String home = work.resolve("home").toString();
        var models = new ModelHome(storage, home);

        Decision first = RetrainJob.run(sc, storage, config(home, night(1), "epochs=1", "learningRate=0.01"), QUIET);
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
}
