package dev.lmpipe.spark;

import dev.lmpipe.LmpipeException;
import dev.lmpipe.config.ConfigLoader;
import dev.lmpipe.data.TokenizeConfig;
import dev.lmpipe.storage.Storage;
import dev.lmpipe.train.CheckpointStore;
import dev.lmpipe.train.TrainConfig;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The S3 server stops in the middle of a checkpoint write (as epoch 2's model.zip is being stored): training
 * fails with an error that names the checkpoint and the last good one, {@code latest} still names a loadable
 * checkpoint, and once the server is back {@code --resume} finishes the run.
 */
class S3OutageIT {
    private static JavaSparkContext sc;
    private static S3Server s3;

    @TempDir
    static Path work;

    @BeforeAll
    static void start() throws Exception {
        s3 = new S3Server(work.resolve("s3"), "outage");
        sc = LocalSpark.start("S3OutageIT");
    }

    @AfterAll
    static void stop() throws Exception {
        if (sc != null) {
            sc.stop();
        }
        FileSystem.closeAll();
        if (s3 != null) {
            s3.close();
        }
    }

    @Test
    void serverStoppedDuringACheckpointWriteLosesNothingCommitted() throws Exception {
        Storage storage = s3.storage(work);
        var log = new ByteArrayOutputStream();
        var out = new PrintStream(log, true, StandardCharsets.UTF_8);
        String root = s3.root() + "lmpipe/";
        storage.writeAll(root + "corpus/markov.txt",
                new MarkovCorpus("abcdefgh", 3).generate(30_000, 4).getBytes(StandardCharsets.UTF_8));
        String dataset = root + "dataset";
        TokenizeJob.run(sc, storage, ConfigLoader.load(TokenizeConfig.class, TokenizeConfig.DEFAULTS, null,
                List.of("input=" + root + "corpus", "output=" + dataset, "blockBytes=1024", "validationFraction=0.1")),
                false, out);

        String run = root + "run";
        var stopped = new CountDownLatch(1);
        s3.onWrite("lmpipe/run/checkpoints/epoch-0002/model.zip", server -> new Thread(() -> {
            try {
                server.stop(); // from another thread: stop() waits for the request in flight, this one
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            stopped.countDown();
        }).start());
        long began = System.nanoTime();
        var failure = catchThrowableOfType(() -> new TrainJob(sc, storage, config(dataset, run), out).run(false, false),
                LmpipeException.class);
        double seconds = (System.nanoTime() - began) / 1e9;
        assertThat(stopped.await(30, TimeUnit.SECONDS)).isTrue();

        assertThat(failure).as(log.toString(StandardCharsets.UTF_8)).isNotNull();
        assertThat(failure.getMessage())
                .contains("cannot write checkpoint " + run + "/checkpoints/epoch-0002")
                .contains(run + "/checkpoints/epoch-0001, is untouched")
                .contains("--resume")
                .doesNotContain(S3Server.SECRET_KEY);
        System.out.printf("S3OutageIT: training failed %.1f s after it started, with: %s%n", seconds, failure.getMessage());

        s3.start();
        var store = new CheckpointStore(storage, run);
        String latest = store.pointer(CheckpointStore.LATEST).orElseThrow();
        assertThat(latest).endsWith("epoch-0001");
        assertThat(CheckpointStore.load(storage, latest).state().epoch()).isEqualTo(1);

        var state = new TrainJob(sc, storage, config(dataset, run), out).run(true, false);
        assertThat(state.epoch()).isEqualTo(3);
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("resuming from " + run + "/checkpoints/epoch-0001");
        for (String name : List.of("epoch-0001", "epoch-0002", "epoch-0003")) {
            CheckpointStore.load(storage, Storage.child(store.directory(), name));
        }
        assertThat(store.pointer(CheckpointStore.LATEST)).hasValueSatisfying(p -> assertThat(p).endsWith("epoch-0003"));
        assertThat(log.toString(StandardCharsets.UTF_8)).doesNotContain(S3Server.SECRET_KEY);
    }

    private static TrainConfig config(String dataset, String run) {
        return ConfigLoader.load(TrainConfig.class, TrainConfig.DEFAULTS, null, List.of("dataset=" + dataset,
                "output=" + run, "model.embedding=8", "model.hidden=32", "seqLen=32", "tbptt=32", "batchSize=16",
                "averagingFrequency=2", "epochs=3", "patience=3", "report=false"));
    }
}
