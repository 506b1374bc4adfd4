package dev.lmpipe.spark;

import dev.lmpipe.config.ConfigLoader;
import dev.lmpipe.data.TokenizeConfig;
import dev.lmpipe.storage.Storage;
import dev.lmpipe.train.TrainConfig;
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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The same configuration gives the same training with dropout too: its masks come from generators seeded by the
 * configuration, the step and the worker ({@link SeededRandomHook}), not from the clock of whichever Spark thread
 * trains. Compared bit for bit (the validation loss as a double), in local mode with one worker and with two
 * averaged workers.
 */
class DropoutIT {
    private static JavaSparkContext sc;
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
    private static final Storage STORAGE = new Storage();
    private static String dataset;

    @TempDir
    static Path work;

    @BeforeAll
    static void startSparkAndTokenize() throws Exception {
        sc = LocalSpark.start("DropoutIT");
        Path corpus = work.resolve("corpus.txt");
        Files.writeString(corpus, new MarkovCorpus("abcdefgh", 3).generate(12_000, 5));
        dataset = work.resolve("dataset").toString();
        TokenizeJob.run(sc, STORAGE, ConfigLoader.load(TokenizeConfig.class, TokenizeConfig.DEFAULTS, null,
                List.of("input=" + corpus, "output=" + dataset, "blockBytes=1024")), false, QUIET);
    }

    @AfterAll
    static void stopSpark() {
        sc.stop();
    }

    @ParameterizedTest
    @CsvSource({"lstm, 1", "lstm, 2", "transformer, 1"})
    void theSameConfigurationWithDropoutTrainsTheSameTwice(String kind, int workers) {
        double first = train(kind, workers, 0.2, "first");
        double second = train(kind, workers, 0.2, "second");
        double without = train(kind, workers, 0.0, "without");

        assertThat(second).as("validation loss of a second run").isEqualTo(first);
        // Dropout is applied at all: the masks change what the network learns.
        assertThat(first).as("validation loss without dropout").isNotEqualTo(without);
    }

    private static double train(String kind, int workers, double dropout, String name) {
        var settings = new ArrayList<>(List.of("dataset=" + dataset,
                "output=" + work.resolve(kind + "-" + workers + "-" + name), "model.kind=" + kind,
                "model.embedding=16", "model.layers=2", "model.dropout=" + dropout, "seqLen=16", "tbptt=16",
                "batchSize=8", "averagingFrequency=2", "workers=" + workers, "epochs=1", "report=false"));
        if (kind.equals("transformer")) {
            settings.addAll(List.of("model.heads=2", "model.block=16"));
        } else {
            settings.add("model.hidden=16");
        }
        var config = ConfigLoader.load(TrainConfig.class, TrainConfig.DEFAULTS, null, settings);
        return new TrainJob(sc, STORAGE, config, QUIET).run(false, false).validationLoss();
    }
}
